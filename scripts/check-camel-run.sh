#!/usr/bin/env bash
# Checks the README's start command: `mvn compile camel:run` starts the API, which
# answers a run_view over a WebSocket, and stops on SIGTERM. Uses a free port
# and its own data directory under target/.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$PWD/target/check-camel-run"
rm -rf "$work" && mkdir -p "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

export CAMEL_SERVER_PORT="$port"
export WAREHOUSE_EMBEDDED_SAMPLE_PATH="$work/data/warehouse.duckdb"
export RESULTS_SPILL_DIRECTORY="$work/data/results.spill"
export WAREHOUSE_EMBEDDED_SAMPLE_TRIPS=20000

setsid mvn -B -q compile camel:run > "$work/app.log" 2>&1 &
pid=$!
cleanup() { kill -TERM -- "-$pid" 2>/dev/null || true; }
trap cleanup EXIT

for _ in $(seq 1 180); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "mvn camel:run exited; see $work/app.log"; tail -30 "$work/app.log"; exit 1; fi
  sleep 1
done

java scripts/WsProbe.java "ws://127.0.0.1:$port/ws" trip_weather_vw 1 20
kill -TERM -- "-$pid"
for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
if kill -0 "$pid" 2>/dev/null; then echo "mvn camel:run did not stop on SIGTERM"; exit 1; fi
trap - EXIT
echo "mvn camel:run: OK"
