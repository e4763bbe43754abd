#!/usr/bin/env bash
# Backup endpoints under load (docs/backup.md): for each backend, a fresh Ora node (all roles; embedded PostgreSQL
# and Redis in a fresh ORA_HOME), and for each offered rate 1,000 hubs of their own, each with its own certificate
# from the node's development CA, its own random locator and credential, and one keep-alive HTTPS connection (TLS 1.3,
# client certificate) to the device listener: every hub uploads a 256 KiB envelope (PUT, created; optionally
# replaced with If-Match), then restores it (GET, checked byte for byte). Prints per step and phase the rates, latency
# p50/p99/max, the node's CPU (% of a core, ms per MiB), PostgreSQL's, the S3 server's and the generator's.
#
# usage: load-tests/run-backup-benchmark.sh
#
# Settings come from the environment (defaults in brackets):
#   BACKENDS ["postgres s3"]    ora.backup.store.backend values to measure, one fresh node each
#   HUBS [1000]                 hubs per step; every step (and the warm-up) has hubs of its own, so that no hub goes
#                               over the shipped per-certificate limit (0.2/s, burst 10), which stays on
#   RATES ["100 200 300 400"]   upload rates offered, one step each, until a step does not pass (STOP_ON_FAIL [1])
#   WARMUP_RATE [100]           an unmeasured first step at this rate on hubs of its own (0: none)
#   UPLOADS_PER_HUB [1]         uploads per hub and step: a create, then replaces with If-Match (at most 9)
#   RESTORE_RATE [0]            restores per second (0: the step's upload rate)
#   P99_LIMIT_MS [250] RESTORE_P99_LIMIT_MS [100]   a step passes below both, with every answer the expected one
#   BACKUP_BYTES [262144]       ciphertext per envelope (tag included); the envelope adds its 60-byte header
#   NODE_OPTS [@ora-node/jvm.options]   the node's JVM options (the shipped ones)
#   JFR [0]                     1: record a JFR profile (settings=profile) of each node into
#                               target/backup-benchmark/ora-node-<backend>.jfr
#   JAVA_OPTS []                extra JVM options for the load generator (its GC: GENERATOR_GC_OPTS, bench-common.sh)
#   EVENT_LOOPS [1]             the generator's event loops
#
# The S3 backend is s3proxy 2.6.0 (from the local Maven repository, backup-store's test classpath) in a JVM of its
# own over jclouds' filesystem provider under target/backup-benchmark/s3: an S3 API on this machine, not what runs
# in production; its CPU is reported on its own. Builds ora-node/target/ora-node.jar and
# load-tests/target/load-tests.jar when either is missing (Maven offline, package only). Only 127.0.0.1 is contacted.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
JAR="$HERE/target/load-tests.jar"
NODE_JAR="$ROOT/ora-node/target/ora-node.jar"
WORK="$HERE/target/backup-benchmark"
RESULTS="$WORK/results.txt"

BACKENDS="${BACKENDS:-postgres s3}"
HUBS="${HUBS:-1000}"
RATES="${RATES:-100 200 300 400}"
WARMUP_RATE="${WARMUP_RATE:-100}"
UPLOADS_PER_HUB="${UPLOADS_PER_HUB:-1}"
RESTORE_RATE="${RESTORE_RATE:-0}"
P99_LIMIT_MS="${P99_LIMIT_MS:-250}"
RESTORE_P99_LIMIT_MS="${RESTORE_P99_LIMIT_MS:-100}"
STOP_ON_FAIL="${STOP_ON_FAIL:-1}"
BACKUP_BYTES="${BACKUP_BYTES:-262144}"
JFR="${JFR:-0}"
EVENT_LOOPS="${EVENT_LOOPS:-1}"
HOST=127.0.0.1
S3_BUCKET=ora-bench
# The fixed identity of this local S3 server, not a secret.
S3_IDENTITY=ora-bench-identity
S3_CREDENTIAL=ora-bench-credential
read -r -a JAVA_OPTIONS <<< "${JAVA_OPTS:-}"

ORA_HOME=""
ORA_NODE_PID=""
S3_PID=""
SAMPLER_PID=""

# shellcheck source=bench-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"
read -r -a NODE_JAVA <<< "$NODE_OPTS"

stop_all() {
    stop_process "$SAMPLER_PID" "CPU sampler"
    SAMPLER_PID=""
    stop_process "$ORA_NODE_PID" "Ora node"
    ORA_NODE_PID=""
    stop_process "$S3_PID" "s3proxy"
    S3_PID=""
    if [[ -n "$ORA_HOME" ]]; then
        rm -rf "$ORA_HOME"
        ORA_HOME=""
    fi
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A key=value field of a RESULT line $1.
field() {
    tr ' ' '\n' <<< "$1" | sed -n "s/^$2=//p"
}

# Starts s3proxy on a free port over a fresh directory holding the bucket; sets S3_PID and S3_PORT.
start_s3proxy() {
    local classpath="$WORK/s3proxy.classpath"
    if [[ ! -s "$classpath" ]]; then
        (cd "$ROOT" && mvn -B -o -q dependency:build-classpath -pl backup-store -Dmdep.includeScope=test \
            -Dmdep.outputFile="$classpath") >&2
    fi
    rm -rf "$WORK/s3"
    mkdir -p "$WORK/s3/data/$S3_BUCKET"
    S3_PORT="$(free_port)"
    cat > "$WORK/s3/s3proxy.properties" <<EOF
s3proxy.endpoint=http://$HOST:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_IDENTITY
s3proxy.credential=$S3_CREDENTIAL
s3proxy.ignore-unknown-headers=true
jclouds.provider=filesystem
jclouds.filesystem.basedir=$WORK/s3/data
jclouds.identity=$S3_IDENTITY
jclouds.credential=$S3_CREDENTIAL
EOF
    # Logback, on the test classpath, logs everything at DEBUG without a configuration: that would be measured.
    cat > "$WORK/s3/logback.xml" <<'EOF'
<configuration>
  <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <root level="WARN"><appender-ref ref="out"/></root>
</configuration>
EOF
    java -Xmx1g -Dlogback.configurationFile="$WORK/s3/logback.xml" -cp "$(cat "$classpath")" \
        org.gaul.s3proxy.Main --properties "$WORK/s3/s3proxy.properties" > "$WORK/s3proxy.log" 2>&1 &
    S3_PID=$!
    wait_for_port "$HOST" "$S3_PORT" 60 "$S3_PID" || fail "s3proxy did not start; see $WORK/s3proxy.log"
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
read -r -a rate_list <<< "$RATES"
steps=${#rate_list[@]}
if [[ "$WARMUP_RATE" != 0 ]]; then
    steps=$((steps + 1))
fi
population=$((HUBS * steps))
needed=$((2 * HUBS + 1024))
if [[ "$(ulimit -n)" != unlimited && "$(ulimit -n)" -lt "$needed" ]]; then
    ulimit -n "$needed" 2>/dev/null || log "warning: open-file limit $(ulimit -n) is below $needed; raise it"
fi
mkdir -p "$WORK"
: > "$RESULTS"

# One development CA and one population for every backend: each node's fresh ORA_HOME gets a copy of the CA.
rm -rf "$WORK/pki" "$WORK/certs"
log "issuing $population hubs ($HUBS for each of $steps steps) from a development CA in $WORK/pki"
generator certs --ca-dir "$WORK/pki" --hubs "$population" --apps 1 --out "$WORK/certs" >&2

{
    echo "backup benchmark $(date -u +%FT%TZ) on $(nproc) CPUs" \
        "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs))"
    echo "node: java ${NODE_OPTS} -jar ora-node.jar, all roles, embedded PostgreSQL and Redis, shipped limits"
    echo "load: $HUBS hubs per step, rates $RATES (warm-up $WARMUP_RATE), $UPLOADS_PER_HUB upload(s) per hub," \
        "envelope $((BACKUP_BYTES + 60)) bytes"
} | tee -a "$RESULTS"

for backend in $BACKENDS; do
    ORA_HOME="$(mktemp -d /tmp/ora-backup-bench.XXXXXX)"
    cp -r "$WORK/pki" "$ORA_HOME/pki"
    HTTPS_PORT="$(free_port)"
    node_env=(ORA_HOME="$ORA_HOME" ORA_MQTT_HOST="$HOST" ORA_MQTT_PORT="$(free_port)" ORA_HTTP_HOST="$HOST"
        ORA_HTTP_PORT="$(free_port)" ORA_DEVICE_HTTPS_PORT="$HTTPS_PORT" ORA_CLUSTER_PORT="$(free_port)"
        ORA_MANAGEMENT_PORT="$(free_port)" ORA_BACKUP_STORE="$backend")
    store_pid=()
    if [[ "$backend" == s3 ]]; then
        start_s3proxy
        store_pid=(--store-pid "$S3_PID")
        node_env+=(ORA_BACKUP_S3_ENDPOINT="http://$HOST:$S3_PORT" ORA_BACKUP_S3_PATH_STYLE=true
            ORA_BACKUP_S3_BUCKET="$S3_BUCKET" ORA_BACKUP_S3_REQUEST_CHECKSUMS=when-required
            AWS_ACCESS_KEY_ID="$S3_IDENTITY" AWS_SECRET_ACCESS_KEY="$S3_CREDENTIAL")
        log "s3proxy (pid $S3_PID) on $HOST:$S3_PORT, bucket $S3_BUCKET"
    fi
    jfr=()
    if [[ "$JFR" == 1 ]]; then
        jfr=("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=$WORK/ora-node-$backend.jfr")
    fi
    log "starting the Ora node ($backend): ORA_HOME=$ORA_HOME, device HTTPS on $HOST:$HTTPS_PORT"
    env "${node_env[@]}" java "${NODE_JAVA[@]}" ${jfr[@]+"${jfr[@]}"} -jar "$NODE_JAR" \
        > "$WORK/ora-node-$backend.log" 2>&1 &
    ORA_NODE_PID=$!
    wait_for_port "$HOST" "$HTTPS_PORT" 180 "$ORA_NODE_PID" \
        || fail "the Ora node did not open $HOST:$HTTPS_PORT; see $WORK/ora-node-$backend.log"

    echo "=== backend $backend (node pid $ORA_NODE_PID${S3_PID:+, s3proxy pid $S3_PID});" \
        "machine load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS"
    # The embedded PostgreSQL's data directory is in ORA_HOME, so only its server and backends are counted.
    start_sampler "$ORA_NODE_PID" "$WORK/cpu-$backend.log" "$ORA_HOME/" "$JAR"
    stop_flag=()
    [[ "$STOP_ON_FAIL" == 1 ]] || stop_flag=(--no-stop)
    status=0
    generator backup --host "$HOST" --port "$HTTPS_PORT" --certs "$WORK/certs" --hubs "$HUBS" \
        --rates "$(tr ' ' ',' <<< "$RATES")" --warmup-rate "$WARMUP_RATE" --uploads-per-hub "$UPLOADS_PER_HUB" \
        --restore-rate "$RESTORE_RATE" --p99-limit-ms "$P99_LIMIT_MS" \
        --restore-p99-limit-ms "$RESTORE_P99_LIMIT_MS" --backup-bytes "$BACKUP_BYTES" \
        --server-pid "$ORA_NODE_PID" ${store_pid[@]+"${store_pid[@]}"} --event-loops "$EVENT_LOOPS" \
        ${stop_flag[@]+"${stop_flag[@]}"} 2> >(tee "$WORK/generator-$backend.log" >&2) \
        | tee "$WORK/run-$backend.txt" | tee -a "$RESULTS" || status=$?

    # PostgreSQL's CPU (and the sampler's view of the node and the generator) over each phase's window.
    while read -r line; do
        start_ms="$(field "$line" window_start_ms)"
        seconds="$(field "$line" window_s)"
        from=$((start_ms / 1000))
        to=$(((start_ms + ${seconds%.*} * 1000) / 1000))
        echo "  CPU step $(field "$line" step) $(field "$line" phase) (sampler, % of one core, 1 s resolution):" \
            "$(cpu_between "$WORK/cpu-$backend.log" "$from" "$to")" | tee -a "$RESULTS"
    done < <(grep '^RESULT backup ' "$WORK/run-$backend.txt" || true)
    echo "  node log: $(grep -c -E '"level":"(WARN|ERROR)"| (WARN|ERROR) ' "$WORK/ora-node-$backend.log" || true)" \
        "WARN/ERROR lines in $WORK/ora-node-$backend.log" | tee -a "$RESULTS"
    stop_all
    [[ "$status" == 0 ]] || fail "the $backend run failed (exit $status): unexpected answers; see $RESULTS"
done

echo
echo "=== summary ($RESULTS)"
grep '^RESULT\|^===\|^  CPU\|verdict' "$RESULTS" || true
