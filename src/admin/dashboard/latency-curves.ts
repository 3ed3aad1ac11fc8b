/**
 * The dashboard's view of per-handler latency: whether the admin app answers `GET /api/latency`, and the
 * `.hgrm` percentile text of every handler that has one. Asked inside the app (no network), so the page
 * polls one address that always answers 200, and a server without latency recording costs the browser no
 * failed requests (each would be a console error).
 *
 * @module
 */

/** Dispatches a request to the admin app itself, e.g. `(path, init) => app.request(path, init)`. */
export type LocalFetch = (path: string, init?: RequestInit) => Response | Promise<Response>;

/** One handler's percentile distribution, as HdrHistogram's `.hgrm` text (values in microseconds). */
export interface HandlerCurve {
  handler: string;
  hgrm: string;
}

/** What the dashboard can show of latency. */
export type LatencyCurves = { available: true; curves: HandlerCurve[] } | { available: false; reason: string };

/**
 * Gathers the latency curves of `handlers`, forwarding `headers` (a token, when reads are protected).
 *
 * @example
 * ```ts
 * const view = await latencyCurves(["vwap"], (path, init) => app.request(path, init), request.headers);
 * if (!view.available) console.log(view.reason);
 * ```
 */
export async function latencyCurves(handlers: readonly string[], fetchLocal: LocalFetch, headers: HeadersInit): Promise<LatencyCurves> {
  const summary = await fetchLocal("/api/latency", { headers });
  if (summary.status === 404) return { available: false, reason: "latency recording is not available in this server" };
  if (!summary.ok) return { available: false, reason: `latency recording off or unavailable: ${await errorText(summary)}` };
  await summary.body?.cancel();
  const curves: HandlerCurve[] = [];
  for (const handler of handlers) {
    const response = await fetchLocal(`/api/latency/${encodeURIComponent(handler)}.hgrm`, { headers });
    if (response.ok) curves.push({ handler, hgrm: await response.text() });
    else await response.body?.cancel();
  }
  return { available: true, curves };
}

async function errorText(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: unknown; reasons?: unknown };
    return String(body.error ?? body.reasons ?? text);
  } catch {
    return text || `HTTP ${response.status}`;
  }
}
