import { describe, expect, it } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { ConfigError } from "../../src/mod.ts";
import { boot, tempDir } from "../helpers.ts";
import { runProgram } from "../process.ts";

const config = { eventFeeds: [{ name: "in", type: "memory", broadcast: true }] };

/** A GET that trusts the certificate authority `ca`, under either runtime. */
function fetchTrusting(url: string, ca: string): Promise<Response> {
  const deno = (globalThis as { Deno?: { createHttpClient(options: { caCerts: string[] }): unknown } }).Deno;
  if (deno) return fetch(url, { client: deno.createHttpClient({ caCerts: [ca] }) } as RequestInit);
  return fetch(url, { tls: { ca } } as RequestInit);
}

describe("admin server over TLS", () => {
  it("serves HTTPS with admin.tls (a certificate from a CA made here) and refuses plain HTTP", async () => {
    const temp = tempDir("mongoose-tls-");
    try {
      // A test CA and a certificate for 127.0.0.1 it signed (rustls refuses a CA certificate as a server's).
      const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"];
      for (const args of [
        ["-keyout", temp.path("ca.key"), "-out", temp.path("ca.pem"), "-subj", "/CN=mongoose test CA"],
        ["-keyout", temp.path("key.pem"), "-out", temp.path("cert.pem"), "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
          "-addext", "basicConstraints=critical,CA:FALSE", "-CA", temp.path("ca.pem"), "-CAkey", temp.path("ca.key")],
      ]) {
        const made = await runProgram(["openssl", "req", "-x509", ...ec, ...args]);
        expect(made.code).toBe(0);
      }
      const server = await boot({ ...config, admin: { port: 0, tls: { certFile: temp.path("cert.pem"), keyFile: temp.path("key.pem") } } }, { logLevel: "silent" });
      try {
        expect(server.adminUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
        const live = await fetchTrusting(`${server.adminUrl}health/live`, readFileSync(temp.path("ca.pem"), "utf8"));
        expect(live.status).toBe(200);
        expect((await live.json()).live).toBe(true);
        const plain = server.adminUrl!.replace("https:", "http:");
        await expect(fetch(`${plain}health/live`).then((response) => response.status)).rejects.toThrow();
      } finally {
        await server.stop();
      }
    } finally {
      temp.cleanup();
    }
  });

  it("fails the boot naming the key and the path of a missing or non-PEM file", async () => {
    const temp = tempDir("mongoose-tls-bad-");
    try {
      writeFileSync(temp.path("key.pem"), "not a key");
      const attempt = boot({ ...config, admin: { port: 0, tls: { certFile: temp.path("missing.pem"), keyFile: temp.path("key.pem") } } }, { logLevel: "silent" });
      await expect(attempt).rejects.toThrow(ConfigError);
      await expect(attempt).rejects.toThrow(`admin.tls.certFile: cannot read ${temp.path("missing.pem")}: ENOENT`);
      await expect(attempt).rejects.toThrow(`admin.tls.keyFile: ${temp.path("key.pem")} is not a PEM file`);
    } finally {
      temp.cleanup();
    }
  });
});
