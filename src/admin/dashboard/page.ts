/**
 * The dashboard page: one HTML document with its script, its styles and uPlot inlined, so it works
 * offline and from the single binary. The assets are imported as text, which Bun and Deno both
 * support directly and `bun build --compile` embeds in the binary.
 *
 * @module
 */
import uplotScript from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import uplotStyle from "uplot/dist/uPlot.min.css" with { type: "text" };
import dashboardScript from "./dashboard.js" with { type: "text" };
import dashboardStyle from "./dashboard.css" with { type: "text" };

/** Keeps inlined script text from closing its `<script>` element early. */
function inlineScript(source: string): string {
  return `<script>${source.replaceAll("</script", "<\\/script")}</script>`;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mongoose Server</title>
<link rel="icon" href="data:,">
<style>${uplotStyle}</style>
<style>${dashboardStyle}</style>
</head>
<body>
<header>
  <h1>Mongoose Server</h1>
  <span id="status" class="pill">connecting…</span>
  <span id="updated" class="muted"></span>
  <span id="versions" class="muted"></span>
</header>
<main>
  <section id="tiles" class="tiles"></section>
  <section class="panel wide"><h2>Pipeline</h2><div id="graph"></div></section>
  <section class="panel"><h2>Event rates</h2><div id="rates-chart" class="chart"></div></section>
  <section class="panel"><h2>Latency percentiles</h2><div id="latency-note" class="muted"></div><div id="latency-chart" class="chart"></div></section>
  <section class="panel wide"><h2>Agents</h2><table id="agents"></table></section>
  <section class="panel"><h2>Handlers</h2><table id="handlers"></table></section>
  <section class="panel"><h2>Feeds</h2><table id="feeds"></table></section>
  <section class="panel"><h2>Sinks</h2><table id="sinks"></table></section>
  <section class="panel"><h2>Drops and dead letters</h2><table id="drops"></table></section>
  <section class="panel wide"><h2>Queues</h2><table id="queues"></table></section>
  <section class="panel wide"><h2>Recent errors</h2><div id="errors"></div></section>
  <section class="panel wide" id="audit-panel" hidden><h2>Audit log</h2><table id="audit"></table></section>
</main>
${inlineScript(uplotScript)}
${inlineScript(dashboardScript)}
</body>
</html>
`;

/**
 * The dashboard's HTML, complete and self-contained.
 *
 * @example
 * ```ts
 * app.get("/", (c) => c.html(dashboardPage()));
 * ```
 */
export function dashboardPage(): string {
  return PAGE;
}
