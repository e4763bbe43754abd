#!/usr/bin/env bash
# Relay comparison in one run: Eclipse Mosquitto 2 (the reference, with the Ora relay's rules) and one or more Ora
# node jars, measured in alternating rounds with the same identities, the same generator and the relay's limits on.
# Ratios within one run are what count: the machine is shared and absolute figures move with the host.
#
# usage: load-tests/run-relay-comparison.sh NAME=ora-node.jar[@JVM-OPTIONS] [NAME=ora-node.jar[@JVM-OPTIONS] ...]
#
#   e.g. load-tests/run-relay-comparison.sh after=ora-node/target/ora-node.jar before=/tmp/ora-before.jar
#        load-tests/run-relay-comparison.sh shipped=ora-node/target/ora-node.jar \
#            'fixed-heap=ora-node/target/ora-node.jar@-Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=10'
#   A jar without @JVM-OPTIONS runs with NODE_OPTS; NODE_ENV (e.g. "MALLOC_ARENA_MAX=2") adds environment variables
#   to every Ora node.
#
# Settings from the environment (defaults in brackets):
#   HUBS [1000] APPS [200]      population; 200 apps keep each app under the relay's publish-rate (500/s per
#                               connection) up to 100,000 msg/s, and 1,000 hubs under inbound-rate (1,000/s per hub)
#   ROUNDS [2]                  rounds; every round measures every broker once per scenario, in turn
#   SCENARIOS ["sweep0 sweep1 fixed0 fixed1 rtt0 storm"]
#   FIXED_RATE [12000]          the rate of the fixed-rate runs (CPU per message is compared there)
#   RTT_RATE [2000]             the rate of the round-trip run rtt0 (app -> hub -> app at QoS 0, 20 s measured)
#   P99_LIMIT_MS [50]           the sweep's latency bound
#   SOURCE_ADDRESSES [127.0.0.1,...,127.0.0.8]   connections spread over these, so the relay's per-IP accept limit
#                               (200/s) is not what is measured; every limit of the relay stays as shipped
#   each node gets a fresh database on 127.0.0.1:5432 (user postgres) and a fresh Redis key prefix
#   REDIS_URL [redis://127.0.0.1:6379]
#   NODE_OPTS [@ora-node/jvm.options]   the Ora nodes' JVM options where a NAME=JAR gives none (the shipped ones)
#   SERVER_WARMUP [40]          seconds of unmeasured load at FIXED_RATE on every freshly started broker: a JVM still
#                               compiling its hot paths spends a core on the JIT (measured: ~40 % of one in the first
#                               minute), which is start-up cost, not the cost of a message; Mosquitto gets the same
#
# Writes under load-tests/target/relay-comparison/; prints every RESULT line tagged with round and broker.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$HERE/target/load-tests.jar"
WORK="$HERE/target/relay-comparison"
RESULTS="$WORK/results.txt"
HUBS="${HUBS:-1000}"
APPS="${APPS:-200}"
ROUNDS="${ROUNDS:-2}"
SCENARIOS="${SCENARIOS:-sweep0 sweep1 fixed0 fixed1 rtt0 storm}"
FIXED_RATE="${FIXED_RATE:-12000}"
RTT_RATE="${RTT_RATE:-2000}"
P99_LIMIT_MS="${P99_LIMIT_MS:-50}"
JAVA_OPTIONS=()
BROKER_PID=""

# shellcheck source=bench-common.sh
source "$HERE/bench-common.sh"

[[ $# -ge 1 ]] || { sed -n '2,11p' "$0" >&2; exit 2; }
[[ -f "$JAR" ]] || fail "$JAR is missing: mvn -o -pl load-tests package"
command -v psql >/dev/null || fail "psql is needed to make each node a fresh database"

stop_broker_on_exit

prepare_run $((2 * HUBS + APPS + 4096))

# One population for every broker: issued by a development CA that both Mosquitto and the Ora nodes trust.
PKI="$WORK/home/pki"
log "issuing $((HUBS + 200)) hubs and $APPS apps"
generator certs --ca-dir "$PKI" --hubs "$((HUBS + 200))" --apps "$APPS" --out "$WORK/certs" \
    --mosquitto-port "$MOSQUITTO_PORT" >&2
CERTS="$WORK/certs"

# Unmeasured load on the broker just started, so that what follows measures it warm.
warm_up() {
    [[ "${SERVER_WARMUP:-40}" -gt 0 ]] || return 0
    generator relay --host 127.0.0.1 --port "$PORT" --certs "$CERTS" --source-addresses "$SOURCE_ADDRESSES" \
        --hubs "$HUBS" --apps "$APPS" --qos 1 --rate "$FIXED_RATE" --duration "${SERVER_WARMUP:-40}" --warmup 0 \
        >> "$WORK/warmup.log" 2>&1 || log "warm-up run failed (see $WORK/warmup.log); measuring anyway"
}

scenario() {
    # A failed measurement is recorded and the run goes on.
    set +e
    local round="$1" name="$2" what="$3"
    local target=(--host 127.0.0.1 --port "$PORT" --certs "$CERTS" --server-pid "$BROKER_PID"
        --source-addresses "$SOURCE_ADDRESSES")
    local line
    case "$what" in
        sweep0|sweep1)
            line="$(generator sweep "${target[@]}" --hubs "$HUBS" --apps "$APPS" --qos "${what#sweep}" \
                --p99-limit-ms "$P99_LIMIT_MS" --max-rate 200000 2>>"$WORK/generator.log" | tee -a "$WORK/generator.log" | grep '^RESULT' | tail -1)" ;;
        fixed0|fixed1)
            line="$(generator relay "${target[@]}" --hubs "$HUBS" --apps "$APPS" --qos "${what#fixed}" \
                --rate "$FIXED_RATE" --duration 20 --warmup 5 2>>"$WORK/generator.log" | tee -a "$WORK/generator.log" | grep '^RESULT' | tail -1)" ;;
        rtt0)
            line="$(generator relay "${target[@]}" --hubs "$HUBS" --apps "$APPS" --qos 0 --round-trip \
                --rate "$RTT_RATE" --duration 20 --warmup 5 2>>"$WORK/generator.log" | tee -a "$WORK/generator.log" | grep '^RESULT' | tail -1)" ;;
        storm)
            line="$(generator handshake "${target[@]}" --connections "$HUBS" --warmup-connections 200 \
                --concurrency 100 --hold 5 2>>"$WORK/generator.log" | tee -a "$WORK/generator.log" | grep '^RESULT' | tail -1)" ;;
    esac
    echo "round=$round broker=$name scenario=$what ${line:-FAILED (see $WORK/generator.log)}" | tee -a "$RESULTS"
    set -e
}

for round in $(seq 1 "$ROUNDS"); do
    for what in $SCENARIOS; do
        log "round $round, $what: mosquitto"
        start_mosquitto
        warm_up
        scenario "$round" mosquitto "$what"
        cleanup
        for spec in "$@"; do
            log "round $round, $what: ${spec%%=*}"
            start_ora_broker "$spec" ora_bench
            warm_up
            scenario "$round" "${spec%%=*}" "$what"
            cleanup
        done
    done
done
echo "=== $RESULTS"
cat "$RESULTS"
