#!/usr/bin/env bash
# What tracing and export cost (issue 13: at most 5 % of throughput at the default sampling). One run, the same
# node jar twice: "off" as shipped with no OTLP endpoint (spans are made and dropped, as on any node without a
# receiver), "on" exporting traces and metrics to a stand-in OTLP/HTTP receiver (load-tests/otlp_sink.py) at the
# default (adaptive) sampler. The relay half is run-relay-comparison.sh (Mosquitto beside both, limits as shipped);
# the portal half is run-portal-benchmark.sh once per setting (its rate limits raised, as that script documents).
#
# usage: load-tests/run-observability-benchmark.sh [relay] [portal]      (both when none is named)
#
# Settings from the environment (defaults in brackets):
#   NODE_JAR [ora-node/target/ora-node.jar]   SINK_PORT [4318]
#   RELAY_SCENARIOS ["fixed0 sweep0"]          passed to run-relay-comparison.sh as SCENARIOS, with ROUNDS [1]
#   PORTAL_READ_RATES ["1000 2000 3000"]       passed to run-portal-benchmark.sh as READ_RATES (no create steps)
# Writes under load-tests/target/observability-benchmark/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
NODE_JAR="${NODE_JAR:-$ROOT/ora-node/target/ora-node.jar}"
SINK_PORT="${SINK_PORT:-4318}"
WORK="$HERE/target/observability-benchmark"
PARTS=("$@")
[[ ${#PARTS[@]} -gt 0 ]] || PARTS=(relay portal)
mkdir -p "$WORK"

python3 "$HERE/otlp_sink.py" "$SINK_PORT" > "$WORK/sink.txt" 2>&1 &
SINK_PID=$!
trap 'kill "$SINK_PID" 2>/dev/null || true' EXIT
ON="-Dora.observability.otlp.endpoint=http://127.0.0.1:$SINK_PORT"

for part in "${PARTS[@]}"; do
    case "$part" in
        relay)
            cd "$ROOT"
            ROUNDS="${ROUNDS:-1}" SCENARIOS="${RELAY_SCENARIOS:-fixed0 sweep0}" \
                "$HERE/run-relay-comparison.sh" "off=$NODE_JAR" "on=$NODE_JAR@@ora-node/jvm.options $ON" \
                | tee "$WORK/relay.txt"
            ;;
        portal)
            for setting in off on; do
                options="-Xmx1g -XX:MaxGCPauseMillis=5"
                [[ "$setting" == on ]] && options="$options $ON"
                echo "== portal, observability $setting ($options)" | tee -a "$WORK/portal.txt"
                NODE_JAR="$NODE_JAR" NODE_JAVA_OPTS="$options" READ_RATES="${PORTAL_READ_RATES:-1000 2000 3000}" \
                    CREATE_RATES="" "$HERE/run-portal-benchmark.sh" | tee -a "$WORK/portal.txt"
            done
            ;;
        *) echo "unknown part: $part (relay, portal)" >&2; exit 2 ;;
    esac
done
kill "$SINK_PID"
wait "$SINK_PID" || true
cat "$WORK/sink.txt"
