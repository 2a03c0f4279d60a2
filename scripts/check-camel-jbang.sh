#!/usr/bin/env bash
# Checks that the routes, properties and Java beans run under Camel JBang's
# `camel run` (the CLI of camel-jbang-core, at the project's Camel version,
# from Maven Central) exactly as the README's command starts them, and that the
# API answers a run_view. Uses a free port and its own data under target/.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$PWD/target/check-camel-jbang"
rm -rf "$work" && mkdir -p "$work"
mvn -q -B -f scripts/camel-jbang/pom.xml dependency:build-classpath -Dmdep.outputFile="$work/cli.classpath" > "$work/resolve.log" 2>&1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

export CAMEL_SERVER_PORT="$port"
export WAREHOUSE_EMBEDDED_SAMPLE_PATH="$work/data/warehouse.duckdb"
export RESULTS_SPILL_DIRECTORY="$work/data/results.spill"
export WAREHOUSE_EMBEDDED_SAMPLE_TRIPS=20000

# the README's command, with `camel` being this launcher of the same CLI
camel() { java -cp "$(cat "$work/cli.classpath")" scripts/camel-jbang/CamelLauncher.java "$@"; }
setsid bash -c "$(declare -f camel); work='$work'; camel run src/main/resources/application.properties src/main/routes/*.yaml src/main/routes/flow.properties \$(find src/main/java -name '*.java') --port=$port" > "$work/app.log" 2>&1 &
pid=$!
cleanup() { kill -TERM -- "-$pid" 2>/dev/null || true; }
trap cleanup EXIT

for _ in $(seq 1 240); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && grep -q "Routes startup" "$work/app.log"; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then echo "camel run exited; see $work/app.log"; tail -30 "$work/app.log"; exit 1; fi
  sleep 1
done

java scripts/WsProbe.java "ws://127.0.0.1:$port/ws" trip_weather_vw 1 20
# the page is read whole before it is searched: `curl | grep -q` under pipefail fails whenever grep has its match
# and exits before curl has written the rest (curl then ends with "failed writing body")
page=$(curl -sf "http://127.0.0.1:$port/") || { echo "the client is not served at /: curl failed"; exit 1; }
grep -q "<title>warehouse-api" <<< "$page" || { echo "the client is not served at /"; exit 1; }
kill -TERM -- "-$pid"
for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
trap - EXIT
echo "camel run (Camel JBang): OK"
