import { afterAll, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { boot, eventually, FIXTURES, tempDir } from "../helpers.ts";
import { NatsServer } from "./nats-server.ts";
import { publishAll, readSubject } from "./nats-client.ts";

/**
 * A CA and a server certificate for 127.0.0.1 signed by it, made with openssl in `dir`. The certificate
 * also names `localhost`: Deno 2.9's node:tls checks a server reached by IP address as "localhost."
 * (without that name: `Hostname/IP does not match certificate's altnames: Host: localhost.`).
 */
function certificates(dir: string): { ca: string; cert: string; key: string } {
  const at = (name: string) => `${dir}/${name}`;
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "pipe" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test-ca", "-keyout", at("ca.key"), "-out", at("ca.pem"));
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", at("server.key"), "-out", at("server.csr"));
  writeFileSync(at("san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl("x509", "-req", "-in", at("server.csr"), "-CA", at("ca.pem"), "-CAkey", at("ca.key"), "-CAcreateserial", "-days", "2", "-extfile", at("san.ext"), "-out", at("server.pem"));
  return { ca: at("ca.pem"), cert: at("server.pem"), key: at("server.key") };
}

// The tls keys reach the client on the agents' threads: a broker that requires TLS, trusted through caFile.
describe("nats feed and sink over TLS", () => {
  const temp = tempDir("mongoose-nats-tls-");
  let nats: NatsServer | undefined;
  afterAll(async () => {
    await nats?.stop();
    temp.cleanup();
  });

  test("connect with tls.caFile (relative to the YAML's folder) and carry messages", async () => {
    const files = certificates(temp.dir);
    nats = await NatsServer.start(["--tls", "--tlscert", files.cert, "--tlskey", files.key]);
    const client = await connect({ servers: nats.url, tls: { caFile: files.ca } });
    const server = await boot({
      eventFeeds: [{ name: "in", type: "nats", servers: [nats.url], subject: "tls.in", durable: "tls", tls: { caFile: "ca.pem" }, broadcast: true }],
      eventSinks: [{ name: "out", type: "nats", servers: [nats.url], subject: "tls.out", tls: { caFile: "ca.pem" } }],
      eventHandlers: [{ agentName: "worker", eventHandlers: { forward: { handler: `${FIXTURES}forwarder.ts` } } }],
    }, { baseDir: temp.dir });
    try {
      await (await jetstreamManager(client)).streams.add({ name: "TLS_OUT", subjects: ["tls.out"] });
      await eventually(async () => (await server.feedStatus()).every((s) => s.connected), "the feed and the sink connected over TLS", 30_000);
      await publishAll(client, ["a", "b"].map((data) => ({ subject: "tls.in", data })));
      expect((await readSubject(client, "TLS_OUT", 2)).map((m) => m.data)).toEqual(["a", "b"]);
    } finally {
      await server.stop();
      await client.close();
    }
  });
});
