import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { eventually, FIXTURES, sleep, tempDir } from "../helpers.ts";
import { runServer, type RunningServer } from "../process.ts";
import { NatsServer } from "./nats-server.ts";
import { publishAll, readSubject } from "./nats-client.ts";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

/** A `mongoose run` with a NATS feed and a NATS sink on `url` (`token` if given), forwarding the feed to the sink. */
function natsApp(dir: string, url: string, token?: string): string {
  const auth = token === undefined ? "" : `, token: ${token}`;
  writeFileSync(`${dir}/app.yaml`, [
    "admin: {port: 0}",
    `eventFeeds: [{name: in, type: nats, agentName: nats-in, servers: [${url}], subject: "outage.in.>", stream: OUTAGE, durable: outage, valueMapper: json${auth}}]`,
    `eventSinks: [{name: out, type: nats, agentName: nats-out, servers: ${url}, subject: outage.out${auth}}]`,
    "eventHandlers:",
    "  - agentName: worker",
    `    eventHandlers: {forward: {handler: ${FIXTURES}forwarder.ts, configMap: {subscribe: [in]}}}`,
    "",
  ].join("\n"));
  return `${dir}/app.yaml`;
}

async function readiness(server: RunningServer): Promise<{ status: number; reasons: string[] }> {
  const url = /admin: (http:\/\/\S+)/.exec(server.log())![1];
  const response = await fetch(`${url}health/ready`);
  const body = await response.json() as { reasons?: string[] };
  return { status: response.status, reasons: body.reasons ?? [] };
}

const occurrences = (text: string, part: string) => text.split(part).length - 1;

// A broker that is not there, or refuses the credentials: the server boots anyway, says why it is not
// ready, logs each change of state once, and works as soon as the broker is reachable.
describe("nats feed and sink while the broker is unreachable", () => {
  const temp = tempDir("mongoose-nats-outage-");
  const brokers: NatsServer[] = [];
  afterAll(async () => {
    for (const broker of brokers) await broker.stop();
    temp.cleanup();
  });

  test("a broker that is down: the server boots, readiness is 503 naming both, logged once; up again, ready and flowing", async () => {
    const nats = await NatsServer.start();
    brokers.push(nats);
    await nats.halt();
    const server = runServer(MAIN, natsApp(temp.dir, nats.url));
    try {
      await eventually(() => server.log().includes("server running"), "the boot despite the broker", 60_000);
      await eventually(async () => (await readiness(server)).reasons.length === 2, "both reasons in readiness", 30_000);
      const notReady = await readiness(server);
      expect(notReady.status).toBe(503);
      expect(notReady.reasons.sort()).toEqual([
        expect.stringMatching(new RegExp(`^feed "in" on agent "nats-in" is not connected: cannot connect to ${nats.url}: `)),
        expect.stringMatching(new RegExp(`^sink "out" on agent "nats-out" is not connected: cannot connect to ${nats.url}: `)),
      ]);
      // Several attempts later (they back off from 250 ms): still one line each.
      await sleep(3000);
      expect(occurrences(server.log(), `feed "in" is not connected`)).toBe(1);
      expect(occurrences(server.log(), `sink "out" is not connected`)).toBe(1);

      await nats.resume();
      await eventually(async () => (await readiness(server)).status === 200, "ready once the broker is up", 30_000);
      expect(server.log()).toMatch(/feed "in": connected to /);
      const client = await connect({ servers: nats.url });
      try {
        await (await jetstreamManager(client)).streams.add({ name: "OUTAGE_OUT", subjects: ["outage.out"] });
        await publishAll(client, [1, 2, 3].map((n) => ({ subject: "outage.in.n", data: String(n) })));
        expect((await readSubject(client, "OUTAGE_OUT", 3)).map((m) => m.data)).toEqual(["1", "2", "3"]);
      } finally {
        await client.close();
      }
    } finally {
      server.child.interrupt("SIGTERM");
      expect(await server.child.exitCode).toBe(0);
    }
  });

  test("a wrong token: the server boots, readiness is 503 with the broker's refusal, logged once", async () => {
    const nats = await NatsServer.start(["--auth", "secret"]);
    brokers.push(nats);
    const server = runServer(MAIN, natsApp(temp.dir, nats.url, "wrong"));
    try {
      await eventually(() => server.log().includes("server running"), "the boot despite the refusal", 60_000);
      await eventually(async () => (await readiness(server)).reasons.length === 2, "both reasons in readiness", 30_000);
      const notReady = await readiness(server);
      expect(notReady.status).toBe(503);
      for (const reason of notReady.reasons) expect(reason).toMatch(/is not connected: cannot connect to .*Authorization Violation/i);
      await sleep(3000);
      expect(occurrences(server.log(), `feed "in" is not connected`)).toBe(1);
      expect(occurrences(server.log(), `sink "out" is not connected`)).toBe(1);
    } finally {
      server.child.interrupt("SIGTERM");
      await server.child.exitCode;
    }
  });
});
