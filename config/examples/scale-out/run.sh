#!/usr/bin/env bash
# Two instances of app.yaml sharing one durable consumer on a local nats-server, and 1000 orders.
# Run from this folder: ./run.sh   (MONGOOSE="mongoose" ./run.sh to use the binary; Ctrl-C stops all)
set -euo pipefail
cd "$(dirname "$0")"
REPO=$(cd ../../.. && pwd)
MONGOOSE=${MONGOOSE:-"$REPO/node_modules/.bin/bun $REPO/src/main.ts"}
STORE=$(mktemp -d /tmp/mongoose-scale-out-XXXXXX)
export NATS_URL=nats://127.0.0.1:4222

nats-server -js -a 127.0.0.1 -p 4222 -sd "$STORE" &
pids=($!)
trap 'kill "${pids[@]}" 2>/dev/null; wait; rm -rf "$STORE"' EXIT
until (exec 3<>/dev/tcp/127.0.0.1/4222) 2>/dev/null; do sleep 0.1; done   # nats-server listening
rm -rf data-out

INSTANCE=a MONGOOSE_ADMIN_PORT=8081 $MONGOOSE run app.yaml & pids+=($!)
INSTANCE=b MONGOOSE_ADMIN_PORT=8082 $MONGOOSE run app.yaml & pids+=($!)
until curl -sf localhost:8081/health/ready >/dev/null && curl -sf localhost:8082/health/ready >/dev/null; do sleep 0.2; done

"$REPO/node_modules/.bin/bun" "$REPO/config/examples/scale-out/publish.ts" --count 1000
until [ "$(cat data-out/processed-*.jsonl 2>/dev/null | wc -l)" -ge 1000 ]; do sleep 0.2; done
echo "instance a: $(wc -l < data-out/processed-a.jsonl) orders, instance b: $(wc -l < data-out/processed-b.jsonl) orders"
echo "Ctrl-C to stop (kill -9 one instance and publish more with publish.ts --from 1000 to watch failover)"
wait
