/**
 * The built-in demo (`mongoose run` with no file, `npm start`): a heartbeat feed, a VWAP handler on its
 * own worker agent that makes up trades from the beats, and console output. It needs nothing outside the
 * program. `config/demo.yaml` is the same configuration as a file to read, run and change.
 *
 * @module
 */
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { DEMO_HANDLER_URL } from "../entry-urls.ts";

/** The demo configuration. Its handler path is relative to this module's folder. */
export const DEMO_YAML = `# The built-in demo: \`mongoose run\` with no file (npm start).
# A heartbeat every 50 ms; a handler on its own worker agent makes up a trade per beat and keeps a
# volume-weighted average price per symbol; every 20 trades a summary line goes to the console.
idleStrategy: blocking
eventFeeds:
  - name: heartbeat
    type: interval
    periodMs: 50
    broadcast: true
eventSinks:
  - name: console
    type: console
eventHandlers:
  - agentName: vwap-agent
    eventHandlers:
      vwap:
        handler: ./vwap.ts
        configMap:
          reportEvery: 20
          symbols: [AAPL, MSFT, NVDA, TSLA]
`;

/** Where the demo's relative paths resolve (the embedded handler's folder, also inside the binary). */
export const DEMO_BASE_DIR = dirname(fileURLToPath(DEMO_HANDLER_URL));
