#!/usr/bin/env bash
# OTA (issue 15) on a fresh Ora node: hubs' checks over MQTT against an open rollout (checks/s, p99, answers by kind),
# and artifact downloads over HTTPS against nginx serving the same file (MB/s side by side, in the same run).
#
# usage: load-tests/run-ota-benchmark.sh
#
# Settings come from the environment (defaults in brackets):
#   PARTS ["checks downloads"]  which parts run
#  checks:
#   HUBS [10000]                hubs, each over its own connection (mTLS), each subscribed to its in/ota at QoS 1
#   RATES [1000,2000,4000]      fixed-rate runs, checks/s offered by all hubs together, over one set of connections
#   WARMUP_RUN [30]             seconds of an unmeasured run at the first rate before them (warms both JVMs and
#                               starts every hub's entity on the relay); 0: none
#   WARMUP [10] DURATION [30]   seconds of each run sent but not measured, then measured
#   DRAIN [30]                  seconds to wait for outstanding answers after the last check
#   P99_LIMIT_MS [50]           a run is "sustained" with every check answered (no failure kind), p99 below this
#   SWEEP [1]                   1: also search the highest sustained rate (ota-check --find-max, START_RATE [1000]
#                               up to MAX_RATE [16000], STEP_WARMUP [5] + STEP_DURATION [20] s per step)
#   OFFER_CAP [1000000]         the rollout's maxOffersPerMinute for those runs (the API's maximum, 16,667/s: above
#                               every rate run here), so every answer
#                               is an offer
#   LIMITED_RATE [2000] LIMITED_CAP [1000]
#                               then the rollout is replaced by one capped at LIMITED_CAP offers a minute and one
#                               run at LIMITED_RATE shows what wait/rate_limited answers cost; LIMITED_RATE 0: none
#  downloads:
#   ARTIFACT_MIB [32]           the release's image: random bytes
#   DOWNLOADS [100]             concurrent curl downloads of the whole file per round
#   ROUNDS [3]                  rounds per server, alternating node, nginx, node, nginx, ...
#   NGINX [/usr/sbin/nginx]
#  both:
#   NODE_JAVA_OPTS [@ora-node/jvm.options]  the node's JVM options (the shipped ones by default)
#   NODE_JAR [ora-node/target/ora-node.jar]  the node to measure (another build, for a before/after)
#   SOURCE_ADDRESSES [127.0.0.1..8]         loopback addresses the hubs connect from (bench-common.sh)
#   JAVA_OPTS []                extra JVM options for the load generator (its GC: GENERATOR_GC_OPTS, bench-common.sh)
#   KEEP_HOME [0]               1: keep the node's ORA_HOME (database included) in /tmp instead of deleting it
#
# Builds ora-node/target/ora-node.jar and load-tests/target/load-tests.jar when either is missing (Maven offline,
# package only). The node gets a fresh ORA_HOME in /tmp (development CA, embedded PostgreSQL and Redis), free ports,
# the firmware root key from `ota-setup keys`, and runs with the relay's limits as shipped (none opened: 10,000
# connections are within max-connections = 20,000, they come from eight source addresses so that
# accept-rate-per-ip = 200/s does not set the connect time, and one check per hub every few seconds is far below
# publish-rate = 500/s). Everything it writes goes under load-tests/target/ota-benchmark/. Only 127.0.0.1-8 is
# contacted.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
JAR="$HERE/target/load-tests.jar"
NODE_JAR="${NODE_JAR:-$ROOT/ora-node/target/ora-node.jar}"
WORK="$HERE/target/ota-benchmark"
RESULTS="$WORK/results.txt"

PARTS="${PARTS:-checks downloads}"
HUBS="${HUBS:-10000}"
RATES="${RATES:-1000,2000,4000}"
WARMUP_RUN="${WARMUP_RUN:-30}"
WARMUP="${WARMUP:-10}"
DURATION="${DURATION:-30}"
DRAIN="${DRAIN:-30}"
P99_LIMIT_MS="${P99_LIMIT_MS:-50}"
SWEEP="${SWEEP:-1}"
START_RATE="${START_RATE:-1000}"
MAX_RATE="${MAX_RATE:-16000}"
STEP_WARMUP="${STEP_WARMUP:-5}"
STEP_DURATION="${STEP_DURATION:-20}"
OFFER_CAP="${OFFER_CAP:-1000000}"
LIMITED_RATE="${LIMITED_RATE:-2000}"
LIMITED_CAP="${LIMITED_CAP:-1000}"
ARTIFACT_MIB="${ARTIFACT_MIB:-32}"
DOWNLOADS="${DOWNLOADS:-100}"
ROUNDS="${ROUNDS:-3}"
NGINX="${NGINX:-/usr/sbin/nginx}"
NODE_JAVA_OPTS="${NODE_JAVA_OPTS:-@$ROOT/ora-node/jvm.options}"
KEEP_HOME="${KEEP_HOME:-0}"
HOST=127.0.0.1
# Word-split on purpose: these hold several options.
read -r -a JAVA_OPTIONS <<< "${JAVA_OPTS:-}"
read -r -a NODE_JAVA <<< "$NODE_JAVA_OPTS"

ORA_HOME=""
ORA_NODE_PID=""
SAMPLER_PID=""
NGINX_PID=""

# shellcheck source=bench-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"

cleanup() {
    stop_process "$SAMPLER_PID" "CPU sampler"
    SAMPLER_PID=""
    stop_process "$NGINX_PID" "nginx"
    NGINX_PID=""
    stop_process "$ORA_NODE_PID" "Ora node"
    ORA_NODE_PID=""
    if [[ -n "$ORA_HOME" && "$KEEP_HOME" != 1 ]]; then
        rm -rf "$ORA_HOME"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A key=value field of a RESULT line $1.
field() {
    tr ' ' '\n' <<< "$1" | sed -n "s/^$2=//p"
}

# CPU over the measured window of each "RESULT ota-check" line in $1, from the sampler's log.
window_cpu() {
    local line start window
    while IFS= read -r line; do
        start="$(field "$line" window_start_ms)"
        window="$(field "$line" window_s)"
        [[ -n "$start" && -n "$window" ]] || continue
        echo "  run $(field "$line" run) at $(field "$line" target)/s, CPU over its window (% of one core):" \
            "$(cpu_between "$WORK/cpu.log" $((start / 1000 + 1)) $((start / 1000 + ${window%.*})))" \
            | tee -a "$RESULTS"
    done < <(grep '^RESULT ota-check ' "$1" || true)
}

# --- build and checks ---------------------------------------------------------------------------------------------

for tool in java python3 curl; do
    command -v "$tool" >/dev/null || fail "$tool is not on the PATH"
done
if [[ "$PARTS" == *downloads* && ! -x "$NGINX" ]]; then
    fail "nginx is not at $NGINX (apt-get install nginx-light), or leave downloads out of PARTS"
fi
if [[ ! -f "$JAR" || ! -f "$NODE_JAR" ]]; then
    command -v mvn >/dev/null || fail "mvn is not on the PATH, and the jars are missing"
    log "building ora-node.jar and load-tests.jar (mvn -o package, no tests)"
    (cd "$ROOT" && mvn -B -o -q package -DskipTests -pl ora-node,load-tests -am) >&2
fi

# The node and the generator each need a descriptor per hub connection.
prepare_run $((2 * HUBS + 4096))

# --- the node, its firmware and its rollout -----------------------------------------------------------------------

generator ota-setup keys --out "$WORK/keys" | tee -a "$WORK/setup.txt" >&2
ORA_HOME="$(mktemp -d /tmp/ora-ota-bench.XXXXXX)"
MQTT_PORT="$(free_port)"
HTTP_PORT="$(free_port)"
DEVICE_PORT="$(free_port)"
node_env=(ORA_HOME="$ORA_HOME" ORA_MQTT_HOST="$HOST" ORA_MQTT_PORT="$MQTT_PORT" ORA_HTTP_HOST="$HOST"
    ORA_HTTP_PORT="$HTTP_PORT" ORA_DEVICE_HTTPS_PORT="$DEVICE_PORT" ORA_CLUSTER_PORT="$(free_port)"
    ORA_MANAGEMENT_PORT="$(free_port)" ORA_OTA_ROOT_PUBLIC_KEY_FILE="$WORK/keys/root.pub"
    ORA_OTA_DOWNLOAD_BASE_URL="https://$HOST:$DEVICE_PORT")
log "starting the Ora node: ORA_HOME=$ORA_HOME, MQTT $MQTT_PORT, portal $HTTP_PORT, device HTTPS $DEVICE_PORT"
log "  java ${NODE_JAVA[*]} -jar ora-node.jar (relay limits as shipped)"
env "${node_env[@]}" java "${NODE_JAVA[@]}" -jar "$NODE_JAR" > "$WORK/ora-node.log" 2>&1 &
ORA_NODE_PID=$!
wait_for_port "$HOST" "$MQTT_PORT" 180 "$ORA_NODE_PID" \
    || fail "the Ora node did not open $HOST:$MQTT_PORT; see $WORK/ora-node.log"
wait_for_port "$HOST" "$HTTP_PORT" 60 "$ORA_NODE_PID" || fail "the portal did not open $HOST:$HTTP_PORT"
wait_for_port "$HOST" "$DEVICE_PORT" 60 "$ORA_NODE_PID" || fail "the device listener did not open $DEVICE_PORT"

PORTAL="http://$HOST:$HTTP_PORT"
TOKEN="$(env "${node_env[@]}" java -jar "$NODE_JAR" token --sub "op-ota-bench" --role operator)"
head -c $((ARTIFACT_MIB * 1024 * 1024)) /dev/urandom > "$WORK/artifact.bin"
ARTIFACT_SHA256="$(sha256sum "$WORK/artifact.bin" | cut -d' ' -f1)"
log "registering a release of a $ARTIFACT_MIB MiB image and a rollout (maxOffersPerMinute $OFFER_CAP)"
release_line="$(generator ota-setup release --portal "$PORTAL" --token "$TOKEN" --keys "$WORK/keys" \
    --artifact "$WORK/artifact.bin" | grep '^RESULT ota-release')"
RELEASE="$(field "$release_line" release)"
rollout_line="$(generator ota-setup rollout --portal "$PORTAL" --token "$TOKEN" --release "$RELEASE" \
    --max-offers-per-minute "$OFFER_CAP" | grep '^RESULT ota-rollout')"
ROLLOUT="$(field "$rollout_line" rollout)"
echo "$release_line" >> "$WORK/setup.txt"
echo "$rollout_line" >> "$WORK/setup.txt"
[[ -n "$RELEASE" && -n "$ROLLOUT" ]] || fail "no release or rollout; see $WORK/setup.txt"

{
    echo "OTA benchmark $(date -u +%FT%TZ) on $(nproc) CPUs" \
        "($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)), $(java -version 2>&1 | head -1)"
    echo "node: pid $ORA_NODE_PID, java $NODE_JAVA_OPTS, relay limits as shipped, embedded PostgreSQL and Redis"
    echo "$release_line"
    echo "$rollout_line"
    echo "machine load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee -a "$RESULTS"

# The embedded server's data directory is in its postmaster's command line, and in no other PostgreSQL's; the
# generator is the one process running the load-tests jar once the certificates are issued (the curls of the
# download part are measured on their own).
start_sampler "$ORA_NODE_PID" "$WORK/cpu.log" "$ORA_HOME/" "$JAR"

# --- checks -------------------------------------------------------------------------------------------------------

if [[ "$PARTS" == *checks* ]]; then
    log "issuing $HUBS hubs from the node's CA in $ORA_HOME/pki"
    generator certs --ca-dir "$ORA_HOME/pki" --hubs "$HUBS" --apps 1 --out "$WORK/certs" >&2
    target=(--host "$HOST" --port "$MQTT_PORT" --certs "$WORK/certs" --hubs "$HUBS" --server-pid "$ORA_NODE_PID"
        --drain "$DRAIN" --source-addresses "$SOURCE_ADDRESSES")
    echo "=== checks: $HUBS hubs, QoS 1, every answer an offer (maxOffersPerMinute $OFFER_CAP)" | tee -a "$RESULTS"
    echo "  load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS"
    generator ota-check "${target[@]}" --rates "$RATES" --generator-warmup "$WARMUP_RUN" --warmup "$WARMUP" \
        --duration "$DURATION" --p99-limit-ms "$P99_LIMIT_MS" 2> >(tee "$WORK/checks.log" >&2) \
        | tee "$WORK/checks.txt" | tee -a "$RESULTS"
    window_cpu "$WORK/checks.txt"

    if [[ "$SWEEP" == 1 ]]; then
        echo "=== checks: sweep $START_RATE..$MAX_RATE checks/s, ${STEP_WARMUP}s + ${STEP_DURATION}s per step" \
            | tee -a "$RESULTS"
        echo "  load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS"
        generator ota-check "${target[@]}" --find-max --start-rate "$START_RATE" --max-rate "$MAX_RATE" \
            --step-warmup "$STEP_WARMUP" --step-duration "$STEP_DURATION" --generator-warmup "$WARMUP_RUN" \
            --p99-limit-ms "$P99_LIMIT_MS" 2> >(tee "$WORK/sweep.log" >&2) | tee "$WORK/sweep.txt" \
            | tee -a "$RESULTS"
    fi

    if [[ "$LIMITED_RATE" != 0 ]]; then
        limited_line="$(generator ota-setup rollout --portal "$PORTAL" --token "$TOKEN" --release "$RELEASE" \
            --max-offers-per-minute "$LIMITED_CAP" --abort "$ROLLOUT" | grep '^RESULT ota-rollout')"
        ROLLOUT="$(field "$limited_line" rollout)"
        echo "=== checks: $LIMITED_RATE checks/s against a rollout capped at $LIMITED_CAP offers a minute" \
            | tee -a "$RESULTS"
        echo "$limited_line" | tee -a "$RESULTS"
        # The node answers from a snapshot it reloads every ora.ota.refresh-interval (2 s): let it see the new one.
        sleep 5
        echo "  load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS"
        generator ota-check "${target[@]}" --rates "$LIMITED_RATE" --generator-warmup "$WARMUP_RUN" \
            --warmup "$WARMUP" --duration "$DURATION" --p99-limit-ms "$P99_LIMIT_MS" \
            2> >(tee "$WORK/limited.log" >&2) | tee "$WORK/limited.txt" | tee -a "$RESULTS"
        window_cpu "$WORK/limited.txt"
    fi
fi

# --- downloads ----------------------------------------------------------------------------------------------------

if [[ "$PARTS" == *downloads* ]]; then
    if [[ ! -d "$WORK/certs" ]]; then
        generator certs --ca-dir "$ORA_HOME/pki" --hubs 1 --apps 1 --out "$WORK/certs" >&2
    fi
    # -quit, not a pipe into head: with pipefail, a writer cut off by head would fail the script.
    HUB_DIR="$(find "$WORK/certs/hubs" -mindepth 1 -maxdepth 1 -type d -print -quit)"
    NGINX_PORT="$(free_port)"
    mkdir -p "$WORK/nginx/www/ota" "$WORK/nginx/tmp"
    ln -f "$WORK/artifact.bin" "$WORK/nginx/www/ota/artifact" 2>/dev/null \
        || cp "$WORK/artifact.bin" "$WORK/nginx/www/ota/artifact"
    # nginx as Debian ships it where nothing else is said (worker_processes auto, sendfile on as in Debian's
    # nginx.conf: over TLS without kTLS nginx reads and encrypts, it does not sendfile), TLS 1.3 only as the device
    # listener, the node's own server certificate, and client certificates required and checked against the dev CA.
    cat > "$WORK/nginx/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    default_type application/octet-stream;
    client_body_temp_path $WORK/nginx/tmp;
    proxy_temp_path $WORK/nginx/tmp;
    fastcgi_temp_path $WORK/nginx/tmp;
    uwsgi_temp_path $WORK/nginx/tmp;
    scgi_temp_path $WORK/nginx/tmp;
    server {
        listen $HOST:$NGINX_PORT ssl;
        ssl_protocols TLSv1.3;
        ssl_certificate $ORA_HOME/pki/server.crt;
        ssl_certificate_key $ORA_HOME/pki/server.key;
        ssl_client_certificate $ORA_HOME/pki/ca.crt;
        ssl_verify_client on;
        root $WORK/nginx/www;
    }
}
EOF
    "$NGINX" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" > "$WORK/nginx/stdout.log" 2>&1 &
    NGINX_PID=$!
    wait_for_port "$HOST" "$NGINX_PORT" 20 "$NGINX_PID" || fail "nginx did not start; see $WORK/nginx/error.log"

    NODE_URL="https://$HOST:$DEVICE_PORT/ota/v1/releases/$RELEASE/artifact"
    NGINX_URL="https://$HOST:$NGINX_PORT/ota/artifact"
    curl_tls=(--cacert "$ORA_HOME/pki/ca.crt" --cert "$HUB_DIR/client.crt" --key "$HUB_DIR/client.key")
    log "warm-up: one download from the node (fills its cache from PostgreSQL) and one from nginx"
    for url in "$NODE_URL" "$NGINX_URL"; do
        got="$(curl -sS --fail --http1.1 "${curl_tls[@]}" "$url" | sha256sum | cut -d' ' -f1)"
        [[ "$got" == "$ARTIFACT_SHA256" ]] || fail "warm-up download from $url: SHA-256 $got, not $ARTIFACT_SHA256"
    done
    echo "=== downloads: $DOWNLOADS concurrent curls of the whole $ARTIFACT_MIB MiB file, TLS 1.3, mTLS;" \
        "$ROUNDS rounds per server, alternating; after one warm-up download each" | tee -a "$RESULTS"
    echo "  curl: $(curl --version | head -1)" | tee -a "$RESULTS"
    echo "  nginx: $("$NGINX" -v 2>&1), worker_processes auto ($(pgrep -P "$NGINX_PID" | wc -l) workers)" \
        | tee -a "$RESULTS"
    echo "  load before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$RESULTS"
    for round in $(seq 1 "$ROUNDS"); do
        for server in node nginx; do
            if [[ "$server" == node ]]; then
                url="$NODE_URL"
                pids="$ORA_NODE_PID"
            else
                url="$NGINX_URL"
                pids="$NGINX_PID $(pgrep -P "$NGINX_PID" | xargs)"
            fi
            python3 - "$server" "$round" "$url" "$DOWNLOADS" $((ARTIFACT_MIB * 1024 * 1024)) "$ARTIFACT_SHA256" \
                "$pids" "${curl_tls[@]}" \
                <<'PY' | tee -a "$RESULTS"
import hashlib, os, resource, subprocess, sys, time

server, round_, url, count, size, sha256, pids = sys.argv[1:8]
tls = sys.argv[8:]
count = int(count)
hz = os.sysconf("SC_CLK_TCK")

def server_ticks():
    total = 0
    for pid in pids.split():
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total

def machine_busy():
    with open("/proc/stat") as f:
        cpu = [int(v) for v in f.readline().split()[1:]]
    return sum(cpu) - cpu[3] - cpu[4]

size = int(size)
# One download of each round is verified: it goes to sha256 through a pipe instead of to /dev/null.
fmt = "%{http_code} %{size_download}"
before_server, before_busy = server_ticks(), machine_busy()
before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
before_self = resource.getrusage(resource.RUSAGE_SELF)
start = time.monotonic()
procs = []
for i in range(count):
    procs.append(subprocess.Popen(["curl", "-sS", "--http1.1", *tls, "-o", "-" if i == 0 else "/dev/null",
                                   "-w", "" if i == 0 else fmt, url],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE))
digest = hashlib.sha256()
received = 0
while True:
    chunk = procs[0].stdout.read(1 << 20)
    if not chunk:
        break
    received += len(chunk)
    digest.update(chunk)
results = [(p.wait(), p.stdout.read(), p.stderr.read()) for p in procs]
wall = time.monotonic() - start
after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
after_self = resource.getrusage(resource.RUSAGE_SELF)
after_server, after_busy = server_ticks(), machine_busy()
verified = results[0][0] == 0 and received == size and digest.hexdigest() == sha256
complete = (1 if verified else 0) + sum(1 for code, out, _ in results[1:]
                                        if code == 0 and out.split() == [b"200", str(size).encode()])
failed = [err.decode(errors="replace").strip() or out.decode(errors="replace") for code, out, err in results
          if code != 0]
mb_s = complete * size / wall / 1e6
server_pct = 100.0 * (after_server - before_server) / hz / wall
# The clients: every curl, and this driver (which hashes the verified download).
curl_pct = 100.0 * sum(getattr(after, t) - getattr(before, t) for after, before in
                       ((after_children, before_children), (after_self, before_self))
                       for t in ("ru_utime", "ru_stime")) / wall
machine_pct = 100.0 * (after_busy - before_busy) / hz / wall
print(f"  round {round_} {server:5s}: {complete}/{count} complete in {wall:.2f} s = {mb_s:.1f} MB/s"
      f" ({mb_s * 1e6 / 1048576:.1f} MiB/s); CPU (% of one core): server {server_pct:.0f}, curls {curl_pct:.0f},"
      f" machine {machine_pct:.0f}; SHA-256 of one download {'ok' if verified else 'MISMATCH'}"
      + (f"; {len(failed)} failed: {failed[0][:200]}" if failed else ""))
print(f"RESULT ota-download server={server} round={round_} downloads={count} complete={complete}"
      f" wall_s={wall:.3f} mb_per_s={mb_s:.1f} server_cpu_pct={server_pct:.1f} curl_cpu_pct={curl_pct:.1f}"
      f" machine_cpu_pct={machine_pct:.1f} sha256_ok={str(verified).lower()} failed={len(failed)}")
PY
        done
    done
    python3 - "$RESULTS" <<'PY' | tee -a "$RESULTS"
import sys
rows = {}
for line in open(sys.argv[1]):
    if line.startswith("RESULT ota-download "):
        f = dict(kv.split("=", 1) for kv in line.split()[2:])
        rows.setdefault(f["server"], []).append(float(f["mb_per_s"]))
if "node" in rows and "nginx" in rows:
    node, nginx = rows["node"], rows["nginx"]
    per_round = " ".join(f"{a / b:.2f}" for a, b in zip(node, nginx))
    print(f"  node / nginx per round: {per_round}; mean node {sum(node) / len(node):.1f} MB/s,"
          f" nginx {sum(nginx) / len(nginx):.1f} MB/s, ratio of means {sum(node) / sum(nginx):.2f}")
PY
fi

echo "  node log: $(grep -c -E '"level":"(WARN|ERROR)"| (WARN|ERROR) ' "$WORK/ora-node.log" || true) WARN/ERROR" \
    "lines in $WORK/ora-node.log" | tee -a "$RESULTS"

stop_process "$SAMPLER_PID" "CPU sampler"
SAMPLER_PID=""
stop_process "$NGINX_PID" "nginx"
NGINX_PID=""
stop_process "$ORA_NODE_PID" "Ora node"
ORA_NODE_PID=""

echo
echo "=== summary ($RESULTS)"
grep '^RESULT\|^===\|CPU over\|  round\|node / nginx' "$RESULTS" || true
