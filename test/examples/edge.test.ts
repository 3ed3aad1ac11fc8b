import { afterEach, describe, expect, it } from "bun:test";
import { fileURLToPath } from "node:url";
import { eventually } from "../helpers.ts";
import { type Child, runtimeCommand, start } from "../process.ts";

const example = fileURLToPath(new URL("../../config/examples/edge/main.ts", import.meta.url));

interface Running {
  child: Child;
  url: string;
  output(): { stdout: string; stderr: string };
  exited(): boolean;
}

/** Starts the example on a free port and waits until it prints the URL it listens on. */
async function startExample(): Promise<Running> {
  const child = start(runtimeCommand(example), { PORT: "0" });
  let stdout = "";
  let stderr = "";
  let exited = false;
  child.onStdout((text) => (stdout += text));
  child.onStderr((text) => (stderr += text));
  void child.exitCode.then(() => (exited = true));
  await eventually(() => exited || /listening on (\S+)/.test(stdout), "the example to print its URL", 30_000);
  const url = /listening on (\S+)/.exec(stdout)?.[1];
  if (!url) throw new Error(`the example exited before listening\nstdout: ${stdout}\nstderr: ${stderr}`);
  return { child, url, output: () => ({ stdout, stderr }), exited: () => exited };
}

async function post(url: string, body: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL("trades", url), { method: "POST", body });
  return { status: response.status, body: await response.json() };
}

const trade = (symbol: string, price: number, quantity: number) => JSON.stringify({ symbol, price, quantity });

describe("config/examples/edge", () => {
  let running: Running | undefined;
  afterEach(() => {
    if (running && !running.exited()) running.child.kill();
  });

  it("answers each trade with its symbol's running VWAP, also under concurrent requests, and stops cleanly on SIGTERM", async () => {
    running = await startExample();
    const { url } = running;

    const first = await post(url, trade("AAPL", 190.5, 100));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ symbol: "AAPL", trade: { price: 190.5, quantity: 100 }, vwap: 190.5, volume: 100, trades: 1 });
    expect((await post(url, trade("AAPL", 191.5, 300))).body).toMatchObject({ vwap: 191.25, volume: 400, trades: 2 });
    expect((await post(url, trade("MSFT", 420, 10))).body).toMatchObject({ symbol: "MSFT", vwap: 420, volume: 10, trades: 1 });

    // 40 requests in flight at once over two symbols: each response must carry its own trade.
    const sent = Array.from({ length: 40 }, (_, i) => ({ symbol: i % 2 ? "NVDA" : "TSLA", price: 100 + i, quantity: i + 1 }));
    const answers = await Promise.all(sent.map((t) => post(url, trade(t.symbol, t.price, t.quantity))));
    answers.forEach((answer, i) => {
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ symbol: sent[i].symbol, trade: { price: sent[i].price, quantity: sent[i].quantity } });
    });
    expect(new Set(answers.map((answer) => answer.body.requestId)).size).toBe(40);
    for (const symbol of ["NVDA", "TSLA"]) {
      // In the order the handler saw them (its trade count), the quotes are the running VWAP.
      const quotes = answers.map((answer) => answer.body as { symbol: string; trade: { price: number; quantity: number }; vwap: number; volume: number; trades: number })
        .filter((quote) => quote.symbol === symbol)
        .sort((a, b) => a.trades - b.trades);
      expect(quotes.map((quote) => quote.trades)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      let notional = 0;
      let volume = 0;
      for (const quote of quotes) {
        notional += quote.trade.price * quote.trade.quantity;
        volume += quote.trade.quantity;
        expect(quote.volume).toBe(volume);
        expect(quote.vwap).toBeCloseTo(notional / volume, 9);
      }
    }

    running.child.interrupt("SIGTERM");
    expect(await running.child.exitCode).toBe(0);
    const { stdout, stderr } = running.output();
    expect(stderr).toBe("");
    expect(stdout).toContain("SIGTERM: stopping");
    expect(stdout).toMatch(/stopped: \{"clean":true,"problems":\[\],"undeliveredEvents":0,/);
  });

  it("rejects a malformed body with 400 and a clear message, and keeps serving with its state intact", async () => {
    running = await startExample();
    const { url } = running;
    expect((await post(url, trade("AAPL", 100, 1))).body).toMatchObject({ vwap: 100, trades: 1 });

    const notJson = await post(url, '{"symbol": "AAPL", "price": 1');
    expect(notJson.status).toBe(400);
    expect(notJson.body.error).toContain("body is not JSON");
    expect(notJson.body.error).toContain('expected {"symbol": "AAPL", "price": 190.5, "quantity": 100}');
    expect(await post(url, "null")).toEqual({ status: 400, body: { error: '"symbol" must be a non-empty string, got undefined' } });
    expect(await post(url, JSON.stringify({ symbol: "AAPL", price: "100", quantity: 1 })))
      .toEqual({ status: 400, body: { error: '"price" must be a positive number, got "100"' } });
    expect(await post(url, JSON.stringify({ symbol: "AAPL", price: 100, quantity: 0 })))
      .toEqual({ status: 400, body: { error: '"quantity" must be a positive number, got 0' } });
    const wrongMethod = await fetch(new URL("trades", url));
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.json()).toEqual({ error: "GET /trades: use POST" });

    // The rejected bodies reached no handler: the next trade is AAPL's second.
    expect((await post(url, trade("AAPL", 200, 1))).body).toMatchObject({ vwap: 150, volume: 2, trades: 2 });
    running.child.interrupt("SIGINT");
    expect(await running.child.exitCode).toBe(0);
    expect(running.output().stdout).toMatch(/stopped: \{"clean":true/);
  });
});
