#!/usr/bin/env bash
# Relay benchmark: the connection storm and the open-loop relay scenarios, first against Eclipse Mosquitto 2 (the
# reference, configured with the Ora relay's rules), then against the Ora relay when its address is given.
#
# usage: load-tests/run-relay-benchmark.sh [ORA_HOST ORA_PORT ORA_CA_DIR]
#
#   ORA_CA_DIR   the Ora node's PKI directory, $ORA_HOME/pki (ca.crt, ca.key, server.crt, server.key); created with a
#                new development CA when missing. Without the three arguments only the Mosquitto side runs.
#
# Settings come from the environment (defaults in brackets):
#   HUBS [1000] APPS [100]          population; hub i is bound to app i mod APPS
#   CONNECTIONS [$HUBS]             hubs in the connection storm
#   WARMUP_CONNECTIONS [200]        extra hubs issued to warm the generator up before the storm (never measured)
#   CONCURRENCY [100]               connects in flight at most
#   RATE [2000] DURATION [30]       relay runs: total msg/s offered by all apps, and measured seconds
#   WARMUP [5] PAYLOAD [256]        seconds sent but not measured; message size in bytes
#   QOS_LEVELS ["0 1"]              one relay run per QoS
#   SWEEP [0]                       1: also search the highest rate with p99 < P99_LIMIT_MS [10] and no loss
#   SOURCE_ADDRESSES []             e.g. 127.0.0.1,127.0.0.2: spread connections over loopback source addresses
#                                   (the Ora relay limits accepts per source IP)
#   MOSQUITTO [/usr/sbin/mosquitto] MOSQUITTO_PORT [18883]
#   ORA_START [0]                   1: this script starts the Ora node and loads the bindings (see the marked block)
#   ORA_PID []                      pid of an Ora node started by hand, for the memory-per-connection figure
#   EVENT_LOOPS [1]                 the generator's client event loops (threads)
#   JAVA_OPTS []                    extra JVM options for the load generator (its GC: GENERATOR_GC_OPTS, in
#                                   bench-common.sh, with the reasons)
#
# Builds nothing: expects load-tests/target/load-tests.jar (mvn -o -pl load-tests package) and, for the Ora side with
# ORA_START=1, ora-node/target/ora-node.jar. Everything it writes goes under load-tests/target/relay-benchmark/.
# Only 127.0.0.1 (and the Ora host given) is ever contacted.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
JAR="$HERE/target/load-tests.jar"
NODE_JAR="$ROOT/ora-node/target/ora-node.jar"
WORK="$HERE/target/relay-benchmark"
RESULTS="$WORK/results.txt"

HUBS="${HUBS:-1000}"
APPS="${APPS:-100}"
CONNECTIONS="${CONNECTIONS:-$HUBS}"
WARMUP_CONNECTIONS="${WARMUP_CONNECTIONS:-200}"
CONCURRENCY="${CONCURRENCY:-100}"
RATE="${RATE:-2000}"
DURATION="${DURATION:-30}"
WARMUP="${WARMUP:-5}"
PAYLOAD="${PAYLOAD:-256}"
QOS_LEVELS="${QOS_LEVELS:-0 1}"
SWEEP="${SWEEP:-0}"
P99_LIMIT_MS="${P99_LIMIT_MS:-10}"
SOURCE_ADDRESSES="${SOURCE_ADDRESSES:-}"
EVENT_LOOPS="${EVENT_LOOPS:-1}"
MOSQUITTO="${MOSQUITTO:-/usr/sbin/mosquitto}"
MOSQUITTO_HOST=127.0.0.1
MOSQUITTO_PORT="${MOSQUITTO_PORT:-18883}"
ORA_START="${ORA_START:-0}"
# Word-split on purpose: JAVA_OPTS holds several options.
read -r -a JAVA_OPTIONS <<< "${JAVA_OPTS:-}"

MOSQUITTO_PID=""
ORA_NODE_PID=""

# shellcheck source=bench-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"

cleanup() {
    stop_process "$MOSQUITTO_PID" mosquitto
    MOSQUITTO_PID=""
    stop_process "$ORA_NODE_PID" "Ora node"
    ORA_NODE_PID=""
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs the scenarios against one broker; $5, when given, is the broker's pid for its memory and CPU figures.
run_scenarios() {
    local name="$1" host="$2" port="$3" certs="$4" pid="${5:-}"
    local target=(--host "$host" --port "$port" --certs "$certs" --concurrency "$CONCURRENCY"
        --event-loops "$EVENT_LOOPS")
    if [[ -n "$SOURCE_ADDRESSES" ]]; then
        target+=(--source-addresses "$SOURCE_ADDRESSES")
    fi
    local memory=()
    if [[ -n "$pid" ]]; then
        memory=(--server-pid "$pid")
    fi

    log "[$name] connection storm: $CONNECTIONS hubs, concurrency $CONCURRENCY"
    echo "=== $name: handshake" | tee -a "$RESULTS"
    generator handshake "${target[@]}" --connections "$CONNECTIONS" --warmup-connections "$WARMUP_CONNECTIONS" \
        ${memory[@]+"${memory[@]}"} | tee -a "$RESULTS"

    local qos
    for qos in $QOS_LEVELS; do
        log "[$name] relay: $HUBS hubs, $APPS apps, $RATE msg/s, QoS $qos, ${DURATION}s"
        echo "=== $name: relay QoS $qos" | tee -a "$RESULTS"
        generator relay "${target[@]}" --hubs "$HUBS" --apps "$APPS" --rate "$RATE" --duration "$DURATION" \
            --warmup "$WARMUP" --payload "$PAYLOAD" --qos "$qos" ${memory[@]+"${memory[@]}"} | tee -a "$RESULTS"
        if [[ "$SWEEP" == 1 ]]; then
            log "[$name] sweep: QoS $qos"
            echo "=== $name: sweep QoS $qos" | tee -a "$RESULTS"
            generator sweep "${target[@]}" --hubs "$HUBS" --apps "$APPS" --payload "$PAYLOAD" --qos "$qos" \
                --p99-limit-ms "$P99_LIMIT_MS" ${memory[@]+"${memory[@]}"} | tee -a "$RESULTS"
        fi
    done
}

# --- checks -------------------------------------------------------------------------------------------------------

if [[ $# -ne 0 && $# -ne 3 ]]; then
    sed -n '2,9p' "$0" >&2
    exit 2
fi
command -v java >/dev/null || fail "java is not on the PATH"
[[ -f "$JAR" ]] || fail "$JAR is missing: build it with 'mvn -o -pl load-tests package'"
[[ -x "$MOSQUITTO" ]] || fail "no mosquitto at $MOSQUITTO (set MOSQUITTO=...)"
if port_open "$MOSQUITTO_HOST" "$MOSQUITTO_PORT"; then
    fail "$MOSQUITTO_HOST:$MOSQUITTO_PORT is already in use; stop what listens there or set MOSQUITTO_PORT"
fi

# Both ends of every connection live on this machine: the broker and the generator each need a descriptor per peer.
needed=$((HUBS + CONNECTIONS + APPS + 1024))
if [[ "$(ulimit -n)" != unlimited && "$(ulimit -n)" -lt "$needed" ]]; then
    ulimit -n "$needed" 2>/dev/null || log "warning: open-file limit $(ulimit -n) is below $needed; raise it"
fi

mkdir -p "$WORK"
: > "$RESULTS"

# --- Mosquitto ----------------------------------------------------------------------------------------------------

# The storm's warm-up uses hubs the measured storm and the relay runs do not: they come last in bindings.txt.
ISSUED_HUBS=$((HUBS > CONNECTIONS ? HUBS : CONNECTIONS))
ISSUED_HUBS=$((ISSUED_HUBS + WARMUP_CONNECTIONS))

rm -rf "$WORK/mosquitto"
log "issuing $ISSUED_HUBS hubs and $APPS apps for mosquitto"
generator certs --ca-dir "$WORK/mosquitto/pki" --hubs "$ISSUED_HUBS" --apps "$APPS" --out "$WORK/mosquitto/certs" \
    --mosquitto-host "$MOSQUITTO_HOST" --mosquitto-port "$MOSQUITTO_PORT" >&2

log "starting mosquitto on $MOSQUITTO_HOST:$MOSQUITTO_PORT"
"$MOSQUITTO" -c "$WORK/mosquitto/certs/mosquitto.conf" > "$WORK/mosquitto/mosquitto.log" 2>&1 &
MOSQUITTO_PID=$!
if ! wait_for_port "$MOSQUITTO_HOST" "$MOSQUITTO_PORT" 10 "$MOSQUITTO_PID"; then
    cat "$WORK/mosquitto/mosquitto.log" >&2
    fail "mosquitto did not start; its log is above"
fi
echo "mosquitto: $("$MOSQUITTO" -h 2>/dev/null | head -1 || true), pid $MOSQUITTO_PID" | tee -a "$RESULTS"

run_scenarios mosquitto "$MOSQUITTO_HOST" "$MOSQUITTO_PORT" "$WORK/mosquitto/certs" "$MOSQUITTO_PID"
stop_process "$MOSQUITTO_PID" mosquitto
MOSQUITTO_PID=""

# --- Ora relay ----------------------------------------------------------------------------------------------------

if [[ $# -eq 3 ]]; then
    ORA_HOST="$1"
    ORA_PORT="$2"
    ORA_CA_DIR="$(mkdir -p "$3" && cd "$3" && pwd)"
    # The node reads its PKI from $ORA_HOME/pki (relay-cluster reference.conf: ora.relay.tls.*).
    if [[ -z "${ORA_HOME:-}" ]]; then
        [[ "$(basename "$ORA_CA_DIR")" == pki ]] || fail "ORA_CA_DIR must be \$ORA_HOME/pki, or set ORA_HOME"
        ORA_HOME="$(dirname "$ORA_CA_DIR")"
    fi
    export ORA_HOME

    rm -rf "$WORK/ora"
    log "issuing $ISSUED_HUBS hubs and $APPS apps from the Ora CA in $ORA_CA_DIR"
    generator certs --ca-dir "$ORA_CA_DIR" --hubs "$ISSUED_HUBS" --apps "$APPS" --out "$WORK/ora/certs" >&2
    BINDINGS="$WORK/ora/certs/bindings.txt"

    # ================================ START THE ORA NODE HERE ================================
    # The Ora relay must listen on $ORA_HOST:$ORA_PORT, trust the CA in $ORA_CA_DIR and know the bindings in
    # $BINDINGS before the scenarios run. By hand, from the repository root:
    #
    #   ORA_HOME="$ORA_HOME" java -jar ora-node/target/ora-node.jar &
    #   ORA_HOME="$ORA_HOME" java -jar ora-node/target/ora-node.jar grant --file "$BINDINGS"
    #   (one binding at a time until the bulk form exists: ... ora-node.jar grant <app-id> <hub-uuid>)
    #
    # Note the relay's own limits (relay-cluster reference.conf, ora.relay.limits): accept-rate 2000/s and
    # accept-rate-per-ip 200/s cap the connection storm from one source IP (see SOURCE_ADDRESSES), publish-rate
    # 500/s per connection caps RATE/APPS, inbound-rate 1000/s per hub caps RATE/HUBS.
    # With ORA_START=1 this script does the above itself and stops the node at the end.
    if [[ "$ORA_START" == 1 ]]; then
        [[ -f "$NODE_JAR" ]] || fail "$NODE_JAR is missing"
        if port_open "$ORA_HOST" "$ORA_PORT"; then
            fail "$ORA_HOST:$ORA_PORT is already in use: is a node already running? (then use ORA_START=0)"
        fi
        log "starting the Ora node (ORA_HOME=$ORA_HOME)"
        java -jar "$NODE_JAR" > "$WORK/ora/ora-node.log" 2>&1 &
        ORA_NODE_PID=$!
        wait_for_port "$ORA_HOST" "$ORA_PORT" 120 "$ORA_NODE_PID" \
            || fail "the Ora node did not open $ORA_HOST:$ORA_PORT; see $WORK/ora/ora-node.log"
        log "granting the bindings"
        java -jar "$NODE_JAR" grant --file "$BINDINGS" >&2
    fi
    # ==========================================================================================

    wait_for_port "$ORA_HOST" "$ORA_PORT" 30 || fail "nothing listens on $ORA_HOST:$ORA_PORT: start the Ora node"
    run_scenarios ora "$ORA_HOST" "$ORA_PORT" "$WORK/ora/certs" "${ORA_NODE_PID:-${ORA_PID:-}}"
fi

echo
echo "=== summary ($RESULTS)"
grep '^RESULT\|^===' "$RESULTS" || true
