/**
 * The dashboard in a real headless browser (Debian's Chromium driven by playwright-core) against a real
 * server over real HTTP. Set DASHBOARD_SCREENSHOT=docs/dashboard.png to also write the README's picture.
 */
import { describe, expect, it } from "bun:test";
import { statSync, writeFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { dashboardPage } from "../../src/admin/dashboard/page.ts";
import type { MongooseConfig, MongooseServer } from "../../src/mod.ts";
import { boot, eventually, FIXTURES, tempDir } from "../helpers.ts";
import { runtimeCommand, start } from "../process.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

/** Two agents with different idle strategies, three handlers (one failing now and then), two feeds. */
const config: MongooseConfig = {
  idleStrategy: "backoff",
  agentThreads: [{ agentName: "pricing", idleStrategy: "blocking" }],
  eventFeeds: [{ name: "prices", type: "memory", broadcast: true }, { name: "orders", type: "memory" }],
  eventSinks: [{ name: "out", type: "memory" }],
  eventHandlers: [
    { agentName: "pricing", eventHandlers: { "price-forwarder": { handler: "./forwarder.ts" } } },
    {
      agentName: "risk",
      eventHandlers: {
        "risk-check": { handler: "./failing.ts", configMap: { failEvery: 97 } },
        "order-forwarder": { handler: "./forwarder.ts", configMap: { subscribe: ["orders"] } },
      },
    },
  ],
  admin: { port: 0 },
};

async function withDashboard(configuration: MongooseConfig, run: (page: Page, server: MongooseServer, problems: string[]) => Promise<void>): Promise<void> {
  const server = await boot(configuration, { logLevel: "silent" });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    // Offline: the page may load nothing but from the server itself (and inline data: URLs).
    page.on("request", (request) => {
      if (!request.url().startsWith(server.adminUrl!) && !request.url().startsWith("data:")) problems.push(`request outside the server: ${request.url()}`);
    });
    await page.goto(server.adminUrl!);
    await run(page, server, problems);
  } finally {
    await browser?.close();
    await server.stop();
  }
}

/** Offers numbered events to `feed` in small batches until `done` holds. */
async function offerUntil(server: MongooseServer, feed: string, done: () => Promise<boolean>, description: string): Promise<void> {
  let next = 1;
  await eventually(async () => {
    for (let i = 0; i < 50; i++) server.offer(feed, next++);
    return await done();
  }, description, 30_000);
}

const text = async (page: Page, selector: string) => (await page.locator(selector).first().textContent())?.trim() ?? "";

describe("the dashboard (GET /)", () => {
  it("shows the configured agents and handlers, and its counts and rates move while events flow, with no console errors", async () => {
    await withDashboard(config, async (page, server, problems) => {
      await page.locator('[data-handler="risk/order-forwarder"]').waitFor({ timeout: 30_000 });
      for (const agent of ["pricing", "risk"]) expect(await text(page, `[data-agent="${agent}"]`)).toBe(agent);
      for (const handler of ["pricing/price-forwarder", "risk/risk-check", "risk/order-forwarder"]) {
        expect(await page.locator(`[data-handler="${handler}"]`).count()).toBe(1);
      }
      const agentsTable = await text(page, "#agents");
      expect(agentsTable).toContain("blocking");
      expect(agentsTable).toContain("backoff");
      expect(await page.locator('#graph [data-node="feed:prices"]').count()).toBe(1);
      expect(await page.locator('#graph [data-node="sink:out"]').count()).toBe(1);

      const eventsBefore = await text(page, '[data-handler-events="pricing/price-forwarder"]');
      await offerUntil(server, "prices", async () => {
        const rate = await text(page, '[data-handler-rate="pricing/price-forwarder"]');
        return /^[\d.,]+k?\/s$/.test(rate) && rate !== "0/s";
      }, "the price forwarder's displayed rate to show events a second");
      await eventually(async () => (await text(page, '[data-handler-events="pricing/price-forwarder"]')) !== eventsBefore, "the displayed event count to change", 30_000);
      await eventually(async () => (await text(page, '[data-tile="errors"]')) !== "0", "the risk check's errors to show", 30_000);
      expect(await page.locator('[data-tile="errors"].bad').count()).toBe(1);
      await offerUntil(server, "orders", async () => (await text(page, '[data-feed-published="orders"]')) !== "0", "the orders feed's published count to move");

      // Latency recording is on by default (1 event in 64): the price forwarder's curve is drawn.
      await page.locator("#latency-chart canvas").waitFor({ timeout: 30_000 });
      await eventually(async () => (await text(page, "#latency-chart .u-legend")).includes("price-forwarder"), "the price forwarder's latency curve", 30_000);

      const shots = tempDir("mongoose-dashboard-");
      try {
        await page.screenshot({ path: shots.path("dashboard.png"), fullPage: true });
        expect(statSync(shots.path("dashboard.png")).size).toBeGreaterThan(10_000);
        if (process.env.DASHBOARD_SCREENSHOT) {
          // For the README's picture: enough traffic for the rate chart to show a history.
          let order = 1;
          await offerUntil(server, "prices", () => {
            for (let i = 0; i < 20; i++) server.offer("orders", order++);
            return Promise.resolve(server.counter("handler_events_total", { handler: "price-forwarder" }) >= 40_000);
          }, "traffic for the screenshot");
          await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT, fullPage: true });
        }
      } finally {
        shots.cleanup();
      }
      expect(problems).toEqual([]);
    });
  });

  it("says latency recording is off when the configuration turns it off", async () => {
    await withDashboard({ ...config, latency: { enabled: false } }, async (page, _server, problems) => {
      await eventually(async () => (await text(page, "#latency-note")).includes("latency recording is off"), "the page to say latency recording is off", 30_000);
      expect(await page.locator("#latency-chart").isVisible()).toBe(false);
      expect(problems).toEqual([]);
    });
  });

  it("shows the audit log's latest entries when there is one: a command run over HTTP appears live; no panel without one", async () => {
    const folder = tempDir("mongoose-dashboard-audit-");
    try {
      await withDashboard({ ...config, admin: { port: 0, auditLog: folder.path("audit.jsonl") } }, async (page, server, problems) => {
        await page.locator("#audit-panel").waitFor({ timeout: 30_000 });
        await eventually(async () => (await text(page, "#audit")).includes("no admin calls yet"), "the empty audit panel", 30_000);
        expect(await text(page, "#versions")).toContain("config schema");
        const answer = await fetch(`${server.adminUrl}api/commands/help`, { method: "POST", body: '["quit"]' });
        expect(answer.status).toBe(200);
        await page.locator('#audit [data-audit-command="help"]').waitFor({ timeout: 30_000 });
        const row = await text(page, '#audit tr:has([data-audit-command="help"])');
        for (const shown of ["http", "127.0.0.1", "anonymous", '["quit"]', "ok 200"]) expect(row).toContain(shown);
        expect(problems).toEqual([]);
      });
    } finally {
      folder.cleanup();
    }
    await withDashboard(config, async (page) => {
      await page.locator("#status.ok").waitFor({ timeout: 30_000 });
      expect(await page.locator("#audit-panel").isVisible()).toBe(false);
    });
  });

  it("says which agent is not running, in red, when one dies", async () => {
    const dying: MongooseConfig = {
      eventFeeds: [{ name: "poison", type: "memory", broadcast: true }],
      eventSinks: [{ name: "out", type: "memory" }],
      eventHandlers: [
        { agentName: "doomed", eventHandlers: { killer: { handler: "./killer.ts" } } },
        { agentName: "steady", eventHandlers: { fwd: { handler: "./forwarder.ts" } } },
      ],
      admin: { port: 0 },
    };
    await withDashboard(dying, async (page, server) => {
      await page.locator("#status.ok").waitFor({ timeout: 30_000 });
      expect(await text(page, "#status")).toBe("all agents running");
      server.offer("poison", "die");
      await page.locator("#status.bad").waitFor({ timeout: 30_000 });
      expect(await text(page, "#status")).toContain("doomed");
      await page.locator('#agents tr:has([data-agent="doomed"]) td.bad').waitFor({ timeout: 30_000 });
      expect(await page.locator('#agents tr:has([data-agent="steady"]) td.bad').count()).toBe(0);
      expect(await page.locator('#graph [data-node="agent:doomed"].bad').count()).toBe(1);
    });
  });
});

describe("mongoose run", () => {
  it("logs the dashboard's address as the last line of the boot, and serves the page there", async () => {
    const folder = tempDir("mongoose-dashboard-run-");
    writeFileSync(folder.path("app.yaml"), `admin: {port: 0}\neventFeeds:\n  - {name: in, type: interval, periodMs: 20, broadcast: true}\neventHandlers:\n  - agentName: a\n    eventHandlers:\n      fwd: {handler: ${FIXTURES}forwarder.ts, configMap: {sink: nowhere}}\neventSinks:\n  - {name: nowhere, type: memory}\n`);
    const child = start(runtimeCommand(MAIN, ["run", folder.path("app.yaml")]));
    let exited = false;
    try {
      let stderr = "";
      child.onStderr((text) => (stderr += text));
      await eventually(() => /server running.*\n.*dashboard: http:\/\/127\.0\.0\.1:\d+\/ \(open it in a browser\)/.test(stderr), "the dashboard line after the boot", 30_000);
      const url = stderr.match(/dashboard: (\S+)/)![1];
      const page = await fetch(url);
      expect(page.headers.get("content-type")).toContain("text/html");
      expect(await page.text()).toBe(dashboardPage());
      await eventually(async () => {
        const stats = await (await fetch(`${url}api/stats`)).json() as { counters: { name: string; value: number }[] };
        return stats.counters.some((c) => c.name === "handler_events_total" && c.value > 0);
      }, "the handler to count interval events", 30_000);
      child.interrupt();
      expect(await child.exitCode).toBe(0);
      exited = true;
    } finally {
      if (!exited) child.kill();
      folder.cleanup();
    }
  });
});
