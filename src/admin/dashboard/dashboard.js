// The dashboard's script, inlined into the page after uPlot (the global `uPlot`). Every second it polls
// /api/topology, /api/stats and /api/audit, computes rates from the difference between two counter readings
// (over the server's own monotonic clock, `at`), and redraws; every two seconds it polls /api/dashboard/latency.
"use strict";
(() => {
  const POLL_MS = 1000;
  /** Seconds of history the event-rate chart shows. */
  const RATE_WINDOW_S = 120;
  /** Latest error reports listed (the Errors tile and the tables count them all). */
  const SHOWN_ERRORS = 8;
  /** Latest audit entries listed, newest first. */
  const SHOWN_AUDIT_ENTRIES = 15;

  /** @type {any} */ let topology;
  /** @type {any} */ let current;
  /** @type {any} */ let previous;
  const rateHistory = [[], [], [], []];
  /** @type {any} */ let ratesPlot;
  /** @type {any} */ let latencyPlot;
  let latencyKey = "";
  let polls = 0;

  const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

  const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  // ---- numbers with units ----
  function count(n) {
    if (n === undefined || Number.isNaN(n)) return "—";
    const abs = Math.abs(n);
    if (abs >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
    if (abs >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
    if (abs >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
    return Math.round(n).toLocaleString("en-US");
  }
  function rate(r) {
    if (r === undefined) return "—";
    return `${r > 0 && r < 10 ? r.toFixed(1) : count(r)}/s`;
  }
  function bytes(n) {
    if (n === undefined) return "—";
    const units = ["B", "KB", "MB", "GB"];
    let value = n;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
  }
  function micros(us) {
    if (us === 0) return "0";
    if (us < 1) return `${(us * 1000).toFixed(0)} ns`;
    if (us < 1000) return `${us.toFixed(us < 10 ? 2 : 0)} µs`;
    if (us < 1e6) return `${(us / 1000).toFixed(2)} ms`;
    return `${(us / 1e6).toFixed(2)} s`;
  }
  function millis(ms) {
    return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
  }
  const percent = (fraction) => `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0)}%`;

  // ---- counters and rates ----
  const matches = (labels, match) => Object.entries(match).every(([key, value]) => labels[key] === value);
  const sum = (stats, name, match) =>
    stats.counters.reduce((total, c) => (c.name === name && matches(c.labels, match) ? total + c.value : total), 0);
  const total = (name, match = {}) => sum(current, name, match);
  /** Events a second between the last two readings; undefined until there are two. */
  function perSecond(name, match = {}) {
    if (!previous) return undefined;
    const seconds = (current.at - previous.at) / 1000;
    return seconds > 0 ? Math.max(0, (sum(current, name, match) - sum(previous, name, match)) / seconds) : undefined;
  }
  const ringKey = (ring) => `${ring.kind}:${ring.name}:${ring.producer}>${ring.consumer}`;
  function ringRate(ring) {
    const before = previous?.rings.find((r) => ringKey(r) === ringKey(ring));
    if (!before) return undefined;
    const seconds = (current.at - previous.at) / 1000;
    return seconds > 0 ? Math.max(0, (ring.consumedEvents - before.consumedEvents) / seconds) : undefined;
  }
  const FEED_DROPS = ["feed_dropped_total", "feed_unrouted_total", "feed_mapper_dropped_total"];
  const SINK_FAILURES = ["sink_errors_total", "sink_lost_total", "sink_mapper_dropped_total"];
  const totalOf = (names, match = {}) => names.reduce((n, name) => n + total(name, match), 0);

  // ---- table rendering ----
  /** A cell: text, or [text, class, attributes]. */
  function cell(value) {
    if (!Array.isArray(value)) return `<td>${escapeHtml(value)}</td>`;
    const [text, className = "", attributes = ""] = value;
    return `<td class="${className}" ${attributes}>${escapeHtml(text)}</td>`;
  }
  function table(id, headers, rows, empty) {
    const head = `<tr>${headers.map((h) => (h.startsWith("#") ? `<th class="num">${escapeHtml(h.slice(1))}</th>` : `<th>${escapeHtml(h)}</th>`)).join("")}</tr>`;
    const body = rows.length ? rows.map((row) => `<tr>${row.map(cell).join("")}</tr>`).join("") : `<tr><td class="muted" colspan="${headers.length}">${escapeHtml(empty)}</td></tr>`;
    byId(id).innerHTML = head + body;
  }
  const num = (text, bad = false, attributes = "") => [text, bad ? "num bad" : "num", attributes];

  function renderStatus(ok, text) {
    const status = byId("status");
    status.className = `pill ${ok ? "ok" : "bad"}`;
    status.textContent = text;
  }

  function renderTiles() {
    const errors = total("handler_errors_total") + totalOf(SINK_FAILURES) + total("agent_decode_errors_total");
    const drops = totalOf(FEED_DROPS) + total("agent_sink_dropped_total");
    const deadLetters = total("dead_letter_total");
    const tiles = [
      ["Published", rate(perSecond("feed_published_total")), false, "published-rate"],
      ["Handled", rate(perSecond("handler_events_total")), false, "handled-rate"],
      ["Written to sinks", rate(perSecond("sink_written_total")), false, "written-rate"],
      ["Errors", count(errors), errors > 0, "errors"],
      ["Drops", count(drops), drops > 0, "drops"],
      ["Dead letters", count(deadLetters), deadLetters > 0, "dead-letters"],
      ["RSS", bytes(current.memory.rssBytes), false, "rss"],
      ["Heap used", bytes(current.memory.heapUsedBytes), false, "heap"],
    ];
    byId("tiles").innerHTML = tiles.map(([label, value, bad, id]) =>
      `<div class="tile"><div class="label">${escapeHtml(label)}</div><div class="value ${bad ? "bad" : ""}" data-tile="${id}">${escapeHtml(value)}</div></div>`).join("");
  }

  function agentState(name) {
    return current.agents.find((a) => a.name === name) ?? topology.agents.find((a) => a.name === name) ?? { state: "unknown" };
  }

  function renderAgents() {
    const rows = topology.agents.map((agent) => {
      const health = agentState(agent.name);
      const duty = perSecond("agent_duty_cycles_total", { agent: agent.name });
      const idle = perSecond("agent_idle_cycles_total", { agent: agent.name });
      const busy = duty ? 1 - (idle ?? 0) / duty : undefined;
      const core = agent.pinnedCore !== undefined ? `CPU ${agent.pinnedCore}` : agent.coreId !== undefined ? `${agent.coreId} (not pinned)` : "—";
      const running = health.state === "running";
      return [
        [agent.name, "", `data-agent="${escapeHtml(agent.name)}"`],
        agent.mode,
        agent.idleStrategy,
        [health.reason ? `${health.state}: ${health.reason}` : health.state, running ? "ok" : "bad"],
        [core, "", agent.pinning ? `title="${escapeHtml(agent.pinning)}"` : ""],
        num(rate(duty)),
        num(busy === undefined ? "—" : percent(busy)),
        num(health.heartbeatAgeMs === undefined ? "—" : millis(health.heartbeatAgeMs)),
        agent.handlers.map((h) => h.name).join(", ") || "—",
      ];
    });
    table("agents", ["Agent", "Mode", "Idle strategy", "State", "Core", "#Duty cycles", "#Busy", "#Heartbeat age", "Handlers"], rows, "no agents");
  }

  function renderHandlers() {
    const rows = topology.agents.flatMap((agent) => agent.handlers.map((handler) => {
      const labels = { agent: agent.name, handler: handler.name };
      const key = escapeHtml(`${agent.name}/${handler.name}`);
      const errors = total("handler_errors_total", labels);
      return [
        [handler.name, "", `data-handler="${key}"`],
        agent.name,
        handler.subscriptions.join(", ") || "—",
        num(count(total("handler_events_total", labels)), false, `data-handler-events="${key}"`),
        num(rate(perSecond("handler_events_total", labels)), false, `data-handler-rate="${key}"`),
        num(count(errors), errors > 0),
      ];
    }));
    table("handlers", ["Handler", "Agent", "Subscribes to", "#Events", "#Rate", "#Errors"], rows, "no handlers");
  }

  function renderFeeds() {
    const rows = topology.feeds.map((feed) => {
      const drops = totalOf(FEED_DROPS, { feed: feed.name });
      return [
        feed.name,
        feed.type + (feed.broadcast ? " (broadcast)" : ""),
        feed.host,
        num(count(total("feed_published_total", { feed: feed.name })), false, `data-feed-published="${escapeHtml(feed.name)}"`),
        num(rate(perSecond("feed_published_total", { feed: feed.name }))),
        num(count(drops), drops > 0),
      ];
    });
    table("feeds", ["Feed", "Type", "Host", "#Published", "#Rate", "#Dropped"], rows, "no feeds");
  }

  function renderSinks() {
    const rows = topology.sinks.map((sink) => {
      const failures = totalOf(SINK_FAILURES, { sink: sink.name });
      return [
        sink.name,
        sink.type,
        sink.host,
        num(count(total("sink_written_total", { sink: sink.name }))),
        num(rate(perSecond("sink_written_total", { sink: sink.name }))),
        num(count(failures), failures > 0),
      ];
    });
    table("sinks", ["Sink", "Type", "Host", "#Written", "#Rate", "#Errors / lost"], rows, "no sinks");
  }

  function renderDrops() {
    const reasons = [...new Set(current.counters.filter((c) => c.name === "dead_letter_total").map((c) => c.labels.reason))];
    const rows = [
      ...reasons.map((reason) => [`dead letters: ${reason}`, total("dead_letter_total", { reason })]),
      ["feed deliveries dropped (agent gone)", total("feed_dropped_total")],
      ["feed events unrouted (no subscriber)", total("feed_unrouted_total")],
      ["feed events dropped by value mapper", total("feed_mapper_dropped_total")],
      ["sink values undeliverable (host gone)", total("agent_sink_dropped_total")],
      ["sink values lost", total("sink_lost_total")],
      ["sink errors", total("sink_errors_total")],
      ["records that could not be decoded", total("agent_decode_errors_total")],
      ["handler errors", total("handler_errors_total")],
    ].map(([what, n]) => [what, num(count(n), n > 0)]);
    table("drops", ["What", "#Count"], rows, "");
  }

  function renderQueues() {
    const rows = current.rings.map((ring) => {
      const key = ringKey(ring);
      // The consumer records its deepest backlog when it polls; one that stopped polling shows as depth.
      const peak = Math.max(ring.depth, ring.highWaterMark);
      const fill = ring.capacityBytes ? ring.usedBytes / ring.capacityBytes : 0;
      const before = previous?.rings.find((r) => ringKey(r) === key);
      const stalled = before !== undefined && ring.stalls > before.stalls;
      return [
        `${ring.kind} ${ring.name}`,
        `${ring.producer} → ${ring.consumer}`,
        num(count(ring.depth), fill > 0.5),
        num(percent(fill), fill > 0.5),
        num(count(peak)),
        num(rate(ringRate(ring))),
        num(count(ring.stalls), stalled),
        [ring.consumerGone ? "consumer gone" : ring.producerClosed ? "closed" : "open", ring.consumerGone ? "bad" : ""],
      ];
    });
    table("queues", ["Ring", "Producer → consumer", "#Depth", "#Fill", "#High-water", "#Rate", "#Full stalls", "State"], rows, "no rings yet");
  }

  function renderErrors() {
    const errors = current.errors.slice(-SHOWN_ERRORS).reverse();
    byId("errors").innerHTML = errors.length === 0 ? `<div class="muted">none</div>` : errors.map((e) =>
      `<div class="error-item"><div class="where">${escapeHtml(new Date(e.time).toLocaleTimeString())} · ${escapeHtml(e.source)} ${escapeHtml(e.agent)}/${escapeHtml(e.component)} · ${escapeHtml(e.phase)}${e.suppressed ? ` · ${e.suppressed} more held back` : ""}</div><div class="bad">${escapeHtml(e.message)}</div></div>`).join("");
  }

  function renderVersions() {
    const v = topology.versions;
    byId("versions").textContent = `mongoose ${v.engine} · ${v.runtime.name} ${v.runtime.version} · config schema ${v.configSchema} · plugin API ${v.pluginApi}`;
  }

  /** The audit panel shows only when the server keeps an audit log (admin.auditLog). */
  function renderAudit(answer) {
    byId("audit-panel").hidden = !answer.enabled;
    if (!answer.enabled) return;
    const rows = answer.entries.slice().reverse().map((e) => [
      new Date(e.time).toLocaleTimeString(),
      e.via,
      e.caller ?? "—",
      e.tokenId ?? "—",
      [e.command ?? e.request ?? "—", "", `data-audit-command="${escapeHtml(e.command ?? "")}"`],
      e.args === undefined ? "" : JSON.stringify(e.args),
      [e.outcome.ok ? `ok${e.outcome.status ? ` ${e.outcome.status}` : ""}` : `${e.outcome.status ?? "failed"}: ${e.outcome.error ?? ""}`, e.outcome.ok ? "ok" : "bad"],
      num(millis(e.outcome.durationMs)),
    ]);
    table("audit", ["Time", "Via", "Caller", "Token id", "Command", "Arguments", "Outcome", "#Took"], rows, "no admin calls yet");
  }

  // ---- the feed → agent (handlers) → sink graph ----
  const NODE_WIDTH = 190;
  const COLUMN_GAP = 130;
  const ROW_GAP = 14;

  function renderGraph() {
    const ringsInto = (agent) => current.rings.filter((r) => r.kind === "feed" && r.consumer === agent);
    const agents = topology.agents.filter((a) => a.handlers.length > 0 || current.rings.some((r) => r.kind === "feed" ? r.consumer === a.name : r.producer === a.name));
    const columns = [
      topology.feeds.map((f) => ({ id: `feed:${f.name}`, title: f.name, lines: [`${f.type} feed on ${f.host}`], height: 44, bad: totalOf(FEED_DROPS, { feed: f.name }) > 0 })),
      agents.map((a) => ({
        id: `agent:${a.name}`,
        title: a.name,
        lines: [`${a.idleStrategy} · ${agentState(a.name).state}`, ...a.handlers.map((h) => `▸ ${h.name}`)],
        height: 30 + 16 * (1 + a.handlers.length),
        bad: agentState(a.name).state !== "running",
        agent: true,
      })),
      topology.sinks.map((s) => ({ id: `sink:${s.name}`, title: s.name, lines: [`${s.type} sink on ${s.host}`], height: 44, bad: totalOf(SINK_FAILURES, { sink: s.name }) > 0 })),
    ];
    const place = new Map();
    let height = 0;
    columns.forEach((nodes, column) => {
      let y = 4;
      for (const node of nodes) {
        place.set(node.id, { x: 4 + column * (NODE_WIDTH + COLUMN_GAP), y, node });
        y += node.height + ROW_GAP;
      }
      height = Math.max(height, y);
    });
    const edges = [];
    for (const agent of agents) {
      for (const ring of ringsInto(agent.name)) edges.push({ from: `feed:${ring.name}`, to: `agent:${agent.name}`, ring });
    }
    for (const ring of current.rings.filter((r) => r.kind === "sink")) edges.push({ from: `agent:${ring.producer}`, to: `sink:${ring.name}`, ring });
    const edgeSvg = edges.filter((e) => place.has(e.from) && place.has(e.to)).map(({ from, to, ring }) => {
      const a = place.get(from);
      const b = place.get(to);
      const x1 = a.x + NODE_WIDTH;
      const y1 = a.y + a.node.height / 2;
      const x2 = b.x;
      const y2 = b.y + b.node.height / 2;
      const middle = (x1 + x2) / 2;
      const full = ring.capacityBytes && ring.usedBytes / ring.capacityBytes > 0.5;
      const label = `${rate(ringRate(ring))}${ring.depth > 0 ? ` · ${count(ring.depth)} queued` : ""}`;
      return `<path class="edge${full || ring.consumerGone ? " bad" : ""}" d="M${x1},${y1} C${middle},${y1} ${middle},${y2} ${x2},${y2}" marker-end="url(#arrow)"/>` +
        `<text class="rate" x="${middle}" y="${(y1 + y2) / 2 - 4}" text-anchor="middle">${escapeHtml(label)}</text>`;
    }).join("");
    const nodeSvg = [...place.values()].map(({ x, y, node }) =>
      `<g class="node${node.agent ? " agent" : ""}${node.bad ? " bad" : ""}" data-node="${escapeHtml(node.id)}"><rect x="${x}" y="${y}" width="${NODE_WIDTH}" height="${node.height}" rx="5"/>` +
      `<text x="${x + 10}" y="${y + 18}" font-weight="600">${escapeHtml(node.title)}</text>` +
      node.lines.map((line, i) => `<text class="sub" x="${x + 10}" y="${y + 34 + i * 16}">${escapeHtml(line)}</text>`).join("") + `</g>`).join("");
    const width = 8 + 3 * NODE_WIDTH + 2 * COLUMN_GAP;
    byId("graph").innerHTML = `<svg width="${width}" height="${Math.max(height, 50)}" viewBox="0 0 ${width} ${Math.max(height, 50)}">` +
      `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#4d5a6b"/></marker></defs>` +
      edgeSvg + nodeSvg + `</svg>`;
  }

  // ---- charts ----
  const chartWidth = (id) => Math.max(300, byId(id).clientWidth);
  const AXIS = { stroke: "#8a94a6", grid: { stroke: "#2c3440" }, ticks: { stroke: "#2c3440" } };

  function renderRatesChart() {
    const seconds = current.at / 1000;
    const values = [seconds, perSecond("feed_published_total") ?? null, perSecond("handler_events_total") ?? null, perSecond("sink_written_total") ?? null];
    values.forEach((v, i) => rateHistory[i].push(v));
    while (seconds - rateHistory[0][0] > RATE_WINDOW_S) rateHistory.forEach((series) => series.shift());
    // The x axis counts seconds of this page's history, so it reads "-60 s … now".
    const now = seconds;
    const data = [rateHistory[0].map((t) => t - now), ...rateHistory.slice(1)];
    if (!ratesPlot) {
      ratesPlot = new uPlot({
        width: chartWidth("rates-chart"),
        height: 220,
        // At least the last 30 s, growing to the whole window as history accumulates.
        scales: { x: { time: false, range: (_u, min) => [Math.min(min, -30), 0] } },
        legend: { live: false },
        axes: [{ ...AXIS, incrs: [1, 2, 5, 10, 15, 30, 60], values: (_u, ticks) => ticks.map((t) => (t === 0 ? "now" : `${Math.round(t)} s`)) }, { ...AXIS, size: 60, values: (_u, ticks) => ticks.map((t) => rate(t)) }],
        series: [
          {},
          { label: "published", stroke: "#58a6ff", width: 1.5 },
          { label: "handled", stroke: "#3fb950", width: 1.5 },
          { label: "written to sinks", stroke: "#d29922", width: 1.5 },
        ],
      }, data, byId("rates-chart"));
    } else {
      ratesPlot.setData(data);
    }
  }

  /** Parses the `Value Percentile TotalCount 1/(1-Percentile)` rows of HdrHistogram's .hgrm text. */
  function parseHgrm(text) {
    const rows = [];
    for (const line of text.split(/\r?\n/)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length !== 4 || fields.some((f) => !/^[\d.]+$|^Infinity$/.test(f))) continue;
      const value = Number(fields[0]);
      const percentile = Number(fields[1]);
      if (percentile < 1) rows.push({ value, x: Math.log10(1 / (1 - percentile)) });
    }
    return rows;
  }

  /** The latency at `x` (a percentile as log10(1/(1-p))): the first row at or beyond it, as HdrHistogram steps. */
  function valueAt(rows, x) {
    const row = rows.find((r) => r.x >= x - 1e-9);
    return row ? row.value : null;
  }

  const PERCENTILE_TICKS = [[0, "0%"], [Math.log10(2), "50%"], [1, "90%"], [2, "99%"], [3, "99.9%"], [4, "99.99%"], [5, "99.999%"], [6, "99.9999%"]];

  function renderLatency(view) {
    const note = byId("latency-note");
    const chart = byId("latency-chart");
    const curves = view.available ? view.curves.map((c) => ({ handler: c.handler, rows: parseHgrm(c.hgrm) })).filter((c) => c.rows.length > 0) : [];
    if (!view.available || curves.length === 0) {
      note.innerHTML = view.available ? "no latency recorded yet" : `<span class="warn">${escapeHtml(view.reason)}</span>`;
      chart.style.display = "none";
      return;
    }
    note.textContent = "each handler's latency by percentile, from /api/latency/{handler}.hgrm (x: log scale of 1/(1−p), as HdrHistogram plots it)";
    chart.style.display = "";
    const maxX = Math.max(...curves.map((c) => c.rows[c.rows.length - 1].x));
    const xs = [];
    for (let x = 0; x <= maxX + 1e-9; x += 0.02) xs.push(x);
    const data = [xs, ...curves.map((c) => xs.map((x) => valueAt(c.rows, x)))];
    const key = curves.map((c) => c.handler).join("\n");
    if (latencyPlot && key !== latencyKey) {
      latencyPlot.destroy();
      latencyPlot = undefined;
    }
    latencyKey = key;
    if (!latencyPlot) {
      const colors = ["#58a6ff", "#3fb950", "#d29922", "#bc8cff", "#f778ba", "#79c0ff"];
      latencyPlot = new uPlot({
        width: chartWidth("latency-chart"),
        height: 220,
        scales: { x: { time: false } },
        axes: [
          { ...AXIS, splits: (_u, _i, min, max) => PERCENTILE_TICKS.map(([x]) => x).filter((x) => x >= min && x <= max), values: (_u, ticks) => ticks.map((t) => PERCENTILE_TICKS.find(([x]) => x === t)?.[1] ?? "") },
          { ...AXIS, size: 70, values: (_u, ticks) => ticks.map((t) => micros(t)) },
        ],
        series: [
          { label: "percentile", value: (_u, x) => (x === null ? "—" : `${(100 * (1 - 10 ** -x)).toFixed(4)}%`) },
          ...curves.map((c, i) => ({ label: c.handler, stroke: colors[i % colors.length], width: 1.5, value: (_u, v) => (v === null ? "—" : micros(v)) })),
        ],
      }, data, chart);
    } else {
      latencyPlot.setData(data);
    }
  }

  // ---- polling ----
  async function getJson(path) {
    const response = await fetch(path, { cache: "no-store" });
    return { status: response.status, body: await response.json() };
  }

  async function pollLatency() {
    const { status, body } = await getJson("/api/dashboard/latency");
    if (status === 200) renderLatency(body);
  }

  async function poll() {
    try {
      const [topologyAnswer, statsAnswer, auditAnswer] = await Promise.all([getJson("/api/topology"), getJson("/api/stats"), getJson(`/api/audit?limit=${SHOWN_AUDIT_ENTRIES}`)]);
      if (statsAnswer.status === 503 || topologyAnswer.status === 503) {
        renderStatus(false, "booting");
        return;
      }
      if (statsAnswer.status !== 200 || topologyAnswer.status !== 200) {
        renderStatus(false, `error: ${statsAnswer.body.error ?? topologyAnswer.body.error ?? "unexpected answer"}`);
        return;
      }
      topology = topologyAnswer.body;
      previous = current;
      current = statsAnswer.body;
      const unresponsive = current.agents.filter((a) => a.state !== "running").map((a) => `${a.name} ${a.state}`);
      renderStatus(unresponsive.length === 0, unresponsive.length === 0 ? "all agents running" : unresponsive.join(", "));
      byId("updated").textContent = `updated ${new Date().toLocaleTimeString()}`;
      renderTiles();
      renderGraph();
      renderAgents();
      renderHandlers();
      renderFeeds();
      renderSinks();
      renderDrops();
      renderQueues();
      renderErrors();
      renderVersions();
      if (auditAnswer.status === 200) renderAudit(auditAnswer.body);
      renderRatesChart();
      if (polls++ % 2 === 0) await pollLatency();
    } catch (error) {
      renderStatus(false, `server unreachable (${error instanceof Error ? error.message : error})`);
    }
  }

  async function loop() {
    await poll();
    setTimeout(loop, POLL_MS);
  }

  addEventListener("resize", () => {
    ratesPlot?.setSize({ width: chartWidth("rates-chart"), height: 220 });
    latencyPlot?.setSize({ width: chartWidth("latency-chart"), height: 220 });
  });
  loop();
})();
