#!/usr/bin/env bash
# Memory per idle connection at scale: Mosquitto and Ora node configurations each take CONNECTIONS hubs (full TLS 1.3
# mTLS handshakes) and hold them idle; the broker's RSS is read before the first connect and with every hub
# connected, and for an Ora node also its live heap (the heap in use after a full collection, jcmd GC.run) before
# and after, and its RSS after that collection. Live heap per connection is what the JVM must keep; RSS per
# connection is what the host pays, with the committed but unused heap and native memory (BoringSSL's state,
# Netty's buffers) on top.
#
# usage: load-tests/run-relay-idle.sh NAME=JAR[@OPTIONS] [NAME=JAR[@OPTIONS] ...]
#
#   e.g. load-tests/run-relay-idle.sh shipped=ora-node/target/ora-node.jar \
#            fixed-heap='ora-node/target/ora-node.jar@-Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=10'
#
#   A NAME=JAR without @OPTIONS runs the node with NODE_OPTS, by default the shipped options file
#   (java @ora-node/jvm.options -jar JAR).
#   NODE_ENV (e.g. "MALLOC_ARENA_MAX=2") adds environment variables to every Ora node.
#
# Settings from the environment (defaults in brackets):
#   CONNECTIONS [19000]         hubs held idle; the kernel's hard open-file limit (ulimit -Hn) bounds it, since the
#                               broker needs one descriptor per connection plus its own (on this machine 20,000)
#   HOLD [90]                   seconds every hub stays connected after the last connect, before the readings: longer
#                               than the shipped G1PeriodicGCInterval (60 s), so a node has given back the heap the
#                               storm's garbage made it commit, as it would a minute after any burst
#   CONCURRENCY [100]           connects in flight
#   SOURCE_ADDRESSES [127.0.0.1,...,127.0.0.8]   as in run-relay-comparison.sh (the per-IP accept limit stays on)
#
# Writes under load-tests/target/relay-idle/; prints one IDLE line per broker.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$HERE/target/load-tests.jar"
WORK="$HERE/target/relay-idle"
RESULTS="$WORK/results.txt"
CONNECTIONS="${CONNECTIONS:-19000}"
HOLD="${HOLD:-90}"
CONCURRENCY="${CONCURRENCY:-100}"
# 19,000 TLS contexts, one per identity, are built before anything connects: more than the default 512 MiB holds.
GENERATOR_GC_OPTS="${GENERATOR_GC_OPTS:--XX:+UseParallelGC -Xms3g -Xmx3g}"
JAVA_OPTIONS=()
BROKER_PID=""

# shellcheck source=bench-common.sh
source "$HERE/bench-common.sh"

[[ $# -ge 1 ]] || { sed -n '2,16p' "$0" >&2; exit 2; }
[[ -f "$JAR" ]] || fail "$JAR is missing: mvn -o -pl load-tests package"
command -v psql >/dev/null || fail "psql is needed to give each node a fresh database"
command -v jcmd >/dev/null || fail "jcmd (from the JDK) is needed to read an Ora node's live heap"

stop_broker_on_exit

# The broker holds a descriptor per connection besides its own.
prepare_run $((CONNECTIONS + 512)) strict
PKI="$WORK/home/pki"
log "issuing $((CONNECTIONS + 200)) hubs"
generator certs --ca-dir "$PKI" --hubs "$((CONNECTIONS + 200))" --apps 1 --out "$WORK/certs" \
    --mosquitto-port "$MOSQUITTO_PORT" >&2
CERTS="$WORK/certs"

rss_kib() {
    awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# Heap in use after a full collection, in KiB (G1's "garbage-first heap total N, used M").
live_heap_kib() {
    jcmd "$1" GC.run >/dev/null
    jcmd "$1" GC.heap_info | awk '/garbage-first heap|def new generation|PSYoungGen|ParOldGen|tenured/ {
        for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); s += v } } END { print s + 0 }'
}

established() {
    ss -Htn state established "( sport = :$1 )" | wc -l
}

measure() {
    local name="$1" java="$2" rss0 live0=0 rss1 live1=0 rss2=0 storm line
    sleep 5
    rss0="$(rss_kib "$BROKER_PID")"
    [[ "$java" == yes ]] && live0="$(live_heap_kib "$BROKER_PID")" && rss0="$(rss_kib "$BROKER_PID")"
    # The storm holds every hub for HOLD + 600 s: the readings are taken meanwhile, then the generator is stopped.
    generator handshake --host 127.0.0.1 --port "$PORT" --certs "$CERTS" --connections "$CONNECTIONS" \
        --concurrency "$CONCURRENCY" --warmup-connections 200 --hold $((HOLD + 600)) --server-pid "$BROKER_PID" \
        --source-addresses "$SOURCE_ADDRESSES" > "$WORK/$name-storm.log" 2>&1 &
    storm=$!
    for _ in $(seq 1 6000); do
        [[ "$(established "$PORT")" -ge "$CONNECTIONS" ]] && break
        kill -0 "$storm" 2>/dev/null || fail "the storm against $name ended early; see $WORK/$name-storm.log"
        sleep 0.1
    done
    [[ "$(established "$PORT")" -ge "$CONNECTIONS" ]] || fail "$name never held $CONNECTIONS connections"
    sleep "$HOLD"
    rss1="$(rss_kib "$BROKER_PID")"
    if [[ "$java" == yes ]]; then
        live1="$(live_heap_kib "$BROKER_PID")"
        # JDK 17's G1 gives the freed regions back to the kernel concurrently, after the collection's pause.
        sleep 2
        rss2="$(rss_kib "$BROKER_PID")"
    fi
    local held
    held="$(established "$PORT")"
    stop_process "$storm" generator
    line="$(python3 - "$name" "$CONNECTIONS" "$held" "$rss0" "$rss1" "$rss2" "$live0" "$live1" <<'EOF'
import sys
name, n, held, rss0, rss1, rss2, live0, live1 = sys.argv[1], *map(int, sys.argv[2:])
per = lambda a, b: f"{(b - a) / n:.1f}"
fields = [f"IDLE broker={name} connections={n} held={held}", f"rss_before_mib={rss0 / 1024:.1f}",
          f"rss_held_mib={rss1 / 1024:.1f}", f"rss_kib_per_conn={per(rss0, rss1)}"]
if live1:
    fields += [f"rss_after_gc_mib={rss2 / 1024:.1f}", f"rss_after_gc_kib_per_conn={per(rss0, rss2)}",
               f"live_heap_before_mib={live0 / 1024:.1f}", f"live_heap_held_mib={live1 / 1024:.1f}",
               f"live_heap_kib_per_conn={per(live0, live1)}",
               f"beyond_heap_kib_per_conn={((rss2 - rss0) - (live1 - live0)) / n:.1f}"]
print(" ".join(fields))
EOF
)"
    echo "$line" | tee -a "$RESULTS"
}

log "mosquitto"
start_mosquitto
measure mosquitto no
cleanup
for spec in "$@"; do
    log "${spec%%=*}"
    start_ora_broker "$spec" ora_idle
    measure "${spec%%=*}" yes
    cleanup
done
