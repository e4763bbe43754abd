#!/usr/bin/env bash
# Telemetry ingest end to end: hubs publish health reports over MQTT (TLS 1.3, client certificates) to a fresh Ora
# node, whose relay hands them to the ingest pipeline, which commits them to PostgreSQL; each QoS 1 PUBACK is sent only
# after the commit (success), or is 0x97 (pipeline full or unavailable) or 0x99 (refused by the privacy filter).
# Prints samples/s committed, PUBACK latency, the node's RSS over the run, the rows counted in telemetry_sample and
# the CPU use of the node, PostgreSQL and the rest (mostly the generator) during the measured window.
#
# usage: load-tests/run-telemetry-benchmark.sh
#
# Settings come from the environment (defaults in brackets):
#   HUBS [1000]                 hubs publishing, each over its own connection
#   RATE [2000] SAMPLES [10]    messages/s offered by all hubs together, and samples per message (a JSON array;
#                               10 samples are ~670 bytes): RATE x SAMPLES samples/s
#   WARMUP_RUN [30]             seconds of an unmeasured run at RATE before the measured one, over the same
#                               connections and in the same generator process (--generator-warmup): warms up the
#                               node's JIT and the generator's, whose start (1,000 TLS handshakes, then compiling)
#                               otherwise takes both cores for seconds and starves PostgreSQL; 0: none
#   WARMUP [10] DURATION [60]   seconds of the measured run sent but not measured, then measured
#   DRAIN [30]                  seconds to wait for outstanding PUBACKs after the last send (the relay's outcome
#                               timeout is 20 s)
#   P99_LIMIT_MS [200]          a run is "sustained" with every PUBACK success, no loss, rows >= acknowledged samples
#                               and p99 below this
#   SWEEP [0]                   1: first search the highest sustained rate (telemetry --find-max, START_RATE [500]
#                               up to MAX_RATE [8000], STEP_WARMUP [5] + STEP_DURATION [20] s per step), then run
#                               the measured run at RATE
#   NODE_JAVA_OPTS ["-Xmx1g -XX:MaxGCPauseMillis=5"]
#   INGEST_OPTS []              ingest tuning for the node, e.g. "-Dora.ingest.batch.max-samples=5000
#                               -Dora.ingest.writers=4" (ingest-stream reference.conf)
#   JFR [0]                     1: record a JFR profile (settings=profile) of the node's whole life into
#                               target/telemetry-benchmark/ora-node.jfr
#   JAVA_OPTS []                extra JVM options for the load generator (its GC: GENERATOR_GC_OPTS, bench-common.sh)
#   KEEP_HOME [0]               1: keep the node's ORA_HOME (database included) in /tmp instead of deleting it
#
# Builds ora-node/target/ora-node.jar and load-tests/target/load-tests.jar when either is missing (Maven offline,
# package only). The node gets a fresh ORA_HOME in /tmp (development CA, embedded PostgreSQL and Redis), free ports
# for everything it listens on, and the relay's DoS limits opened for the load; the PUBACK still waits for the commit.
# Everything else it writes goes under load-tests/target/telemetry-benchmark/. Only 127.0.0.1 is contacted.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
JAR="$HERE/target/load-tests.jar"
NODE_JAR="$ROOT/ora-node/target/ora-node.jar"
WORK="$HERE/target/telemetry-benchmark"
RESULTS="$WORK/results.txt"

HUBS="${HUBS:-1000}"
RATE="${RATE:-2000}"
SAMPLES="${SAMPLES:-10}"
WARMUP="${WARMUP:-10}"
DURATION="${DURATION:-60}"
DRAIN="${DRAIN:-30}"
WARMUP_RUN="${WARMUP_RUN:-30}"
P99_LIMIT_MS="${P99_LIMIT_MS:-200}"
SWEEP="${SWEEP:-0}"
START_RATE="${START_RATE:-500}"
MAX_RATE="${MAX_RATE:-8000}"
STEP_WARMUP="${STEP_WARMUP:-5}"
STEP_DURATION="${STEP_DURATION:-20}"
NODE_JAVA_OPTS="${NODE_JAVA_OPTS:--Xmx1g -XX:MaxGCPauseMillis=5}"
INGEST_OPTS="${INGEST_OPTS:-}"
JFR="${JFR:-0}"
KEEP_HOME="${KEEP_HOME:-0}"
HOST=127.0.0.1
# Word-split on purpose: these hold several options.
read -r -a JAVA_OPTIONS <<< "${JAVA_OPTS:-}"
read -r -a NODE_JAVA <<< "$NODE_JAVA_OPTS"
read -r -a INGEST_OPTIONS <<< "$INGEST_OPTS"

# The relay's DoS limits, opened so that they are not what is measured: all hubs connect in a few seconds from one
# address, and each may publish far more than RATE / HUBS a second.
RELAY_LIMIT_OPTS=(-Dora.relay.limits.accept-rate=50000 -Dora.relay.limits.accept-rate-per-ip=50000
    -Dora.relay.limits.publish-rate=100000 -Dora.relay.limits.publish-burst=100000)

ORA_HOME=""
ORA_NODE_PID=""
SAMPLER_PID=""

# shellcheck source=bench-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"

cleanup() {
    stop_process "$SAMPLER_PID" "CPU sampler"
    SAMPLER_PID=""
    stop_process "$ORA_NODE_PID" "Ora node"
    ORA_NODE_PID=""
    if [[ -n "$ORA_HOME" && "$KEEP_HOME" != 1 ]]; then
        rm -rf "$ORA_HOME"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A value of the node's run file ($ORA_HOME/run/node.properties), with the escaping of java.util.Properties undone.
run_file_value() {
    sed -n "s/^$1=//p" "$ORA_HOME/run/node.properties" | sed 's/\\\(.\)/\1/g'
}

# A key=value field of the last "RESULT telemetry " line of $1.
result_field() {
    grep '^RESULT telemetry ' "$1" | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# --- build and checks ---------------------------------------------------------------------------------------------

for tool in java python3; do
    command -v "$tool" >/dev/null || fail "$tool is not on the PATH"
done
if [[ ! -f "$JAR" || ! -f "$NODE_JAR" ]]; then
    command -v mvn >/dev/null || fail "mvn is not on the PATH, and the jars are missing"
    log "building ora-node.jar and load-tests.jar (mvn -o package, no tests)"
    (cd "$ROOT" && mvn -B -o -q package -DskipTests -pl ora-node,load-tests -am) >&2
fi

# The node and the generator each need a descriptor per hub connection.
needed=$((2 * HUBS + 1024))
if [[ "$(ulimit -n)" != unlimited && "$(ulimit -n)" -lt "$needed" ]]; then
    ulimit -n "$needed" 2>/dev/null || log "warning: open-file limit $(ulimit -n) is below $needed; raise it"
fi

mkdir -p "$WORK"
: > "$RESULTS"

# --- the node -----------------------------------------------------------------------------------------------------

ORA_HOME="$(mktemp -d /tmp/ora-telemetry-bench.XXXXXX)"
MQTT_PORT="$(free_port)"
node_env=(ORA_HOME="$ORA_HOME" ORA_MQTT_HOST="$HOST" ORA_MQTT_PORT="$MQTT_PORT" ORA_HTTP_HOST="$HOST"
    ORA_HTTP_PORT="$(free_port)" ORA_DEVICE_HTTPS_PORT="$(free_port)" ORA_CLUSTER_PORT="$(free_port)"
    ORA_MANAGEMENT_PORT="$(free_port)")
jfr=()
if [[ "$JFR" == 1 ]]; then
    jfr=("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=$WORK/ora-node.jfr")
fi
log "starting the Ora node: ORA_HOME=$ORA_HOME, MQTT on $HOST:$MQTT_PORT"
log "  java ${NODE_JAVA[*]} ${INGEST_OPTIONS[*]} ${jfr[*]} (relay limits opened) -jar ora-node.jar"
env "${node_env[@]}" java "${NODE_JAVA[@]}" "${RELAY_LIMIT_OPTS[@]}" ${INGEST_OPTIONS[@]+"${INGEST_OPTIONS[@]}"} \
    ${jfr[@]+"${jfr[@]}"} -jar "$NODE_JAR" > "$WORK/ora-node.log" 2>&1 &
ORA_NODE_PID=$!
wait_for_port "$HOST" "$MQTT_PORT" 180 "$ORA_NODE_PID" \
    || fail "the Ora node did not open $HOST:$MQTT_PORT; see $WORK/ora-node.log"
for _ in $(seq 1 100); do
    [[ -f "$ORA_HOME/run/node.properties" ]] && break
    sleep 0.1
done
JDBC_URL="$(run_file_value db.url)"
JDBC_USER="$(run_file_value db.user)"
[[ -n "$JDBC_URL" ]] || fail "no db.url in $ORA_HOME/run/node.properties"

rm -rf "$WORK/certs"
log "issuing $HUBS hubs from the node's CA in $ORA_HOME/pki"
generator certs --ca-dir "$ORA_HOME/pki" --hubs "$HUBS" --apps 1 --out "$WORK/certs" >&2

{
    echo "telemetry benchmark $(date -u +%FT%TZ) on $(nproc) CPUs" \
        "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs))"
    echo "node: pid $ORA_NODE_PID, java ${NODE_JAVA_OPTS} ${INGEST_OPTS} (relay limits opened), embedded PostgreSQL"
    echo "load: $HUBS hubs, $SAMPLES samples per message, QoS 1; machine load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$RESULTS"

# The embedded server's data directory is in its postmaster's command line, and in no other PostgreSQL's; the
# generator is the one process running the load-tests jar once the certificates are issued.
start_sampler "$ORA_NODE_PID" "$WORK/cpu.log" "$ORA_HOME/" "$JAR"

target=(--host "$HOST" --port "$MQTT_PORT" --certs "$WORK/certs" --hubs "$HUBS" --samples "$SAMPLES"
    --server-pid "$ORA_NODE_PID" --jdbc-url "$JDBC_URL" --jdbc-user "$JDBC_USER" --drain "$DRAIN"
    --p99-limit-ms "$P99_LIMIT_MS")

if [[ "$SWEEP" == 1 ]]; then
    log "sweep: $START_RATE..$MAX_RATE msg/s, ${STEP_WARMUP}s + ${STEP_DURATION}s per step"
    echo "=== sweep" | tee -a "$RESULTS"
    generator telemetry "${target[@]}" --find-max --start-rate "$START_RATE" --max-rate "$MAX_RATE" \
        --step-warmup "$STEP_WARMUP" --step-duration "$STEP_DURATION" --generator-warmup "$WARMUP_RUN" \
        | tee -a "$RESULTS"
fi

log "measured run: $RATE msg/s x $SAMPLES samples, ${WARMUP_RUN}s warm-up run, ${WARMUP}s warm-up +" \
    "${DURATION}s measured"
echo "=== run at $RATE msg/s" | tee -a "$RESULTS"
generator telemetry "${target[@]}" --rate "$RATE" --generator-warmup "$WARMUP_RUN" --warmup "$WARMUP" \
    --duration "$DURATION" 2> >(tee "$WORK/generator.log" >&2) \
    | tee "$WORK/run.txt" | tee -a "$RESULTS"
grep -h 'warm-up run at\|0x97 answered' "$WORK/generator.log" | sed 's/^/  log: /' >> "$RESULTS" || true

window_start_ms="$(result_field "$WORK/run.txt" window_start_ms)"
window_s="$(result_field "$WORK/run.txt" window_s)"
if [[ -n "$window_start_ms" && -n "$window_s" ]]; then
    from=$((window_start_ms / 1000 + 2))
    to=$((window_start_ms / 1000 + ${window_s%.*} - 1))
    echo "  CPU over the measured window (% of one core):" \
        "$(cpu_between "$WORK/cpu.log" "$from" "$to")" | tee -a "$RESULTS"
fi
# The node logs JSON ("level":"WARN"); plain-text lines are counted too, in case its encoder is changed.
echo "  node log: $(grep -c -E '"level":"(WARN|ERROR)"| (WARN|ERROR) ' "$WORK/ora-node.log" || true) WARN/ERROR" \
    "lines in $WORK/ora-node.log" \
    | tee -a "$RESULTS"

stop_process "$SAMPLER_PID" "CPU sampler"
SAMPLER_PID=""
stop_process "$ORA_NODE_PID" "Ora node"
ORA_NODE_PID=""

echo
echo "=== summary ($RESULTS)"
grep '^RESULT\|^===\|CPU over' "$RESULTS" || true
