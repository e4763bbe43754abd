# Shell helpers shared by the benchmark scripts (sourced, not run).

log() {
    printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

fail() {
    log "error: $*"
    exit 1
}

# Stops a process the script started: SIGTERM, up to 15 s for a clean exit, then SIGKILL.
stop_process() {
    local pid="$1" name="$2"
    if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
        return 0
    fi
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "$name did not stop in 15 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# The load generator's JVM. ParallelGC with a small fixed heap: the generator allocates little per message (pooled
# buffers, frames written in place), and what it allocates dies young, so a young collection copies almost nothing
# and stops it for about a millisecond, with no concurrent GC threads taking the cores it shares with the broker.
# The default G1 was seen pausing 18-75 ms inside measured windows (with the HiveMQ client's garbage) and runs
# concurrent refinement and marking threads; JDK 17's ZGC is not generational and marks the whole heap concurrently,
# on the same two cores. -Xms = -Xmx and AlwaysPreTouch: no heap resizing and no page faults during a run. 512 MiB
# holds thousands of TLS contexts and a run's arrival bitmap and histograms. GENERATOR_GC_OPTS replaces this;
# JAVA_OPTS adds to it.
GENERATOR_GC_OPTS="${GENERATOR_GC_OPTS:--XX:+UseParallelGC -Xms512m -Xmx512m -XX:+AlwaysPreTouch}"

# Defaults the relay scripts share, for what is unset: each may be set in the environment, or by a script before it
# sources this (run-relay-benchmark.sh sets SOURCE_ADDRESSES to empty: no spreading).
# Connections come from eight loopback source addresses so that the relay's per-IP accept limit (200/s), which stays
# on, is not what a run measures. An Ora node runs with the shipped JVM options unless NODE_OPTS says otherwise.
SOURCE_ADDRESSES="${SOURCE_ADDRESSES-127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5,127.0.0.6,127.0.0.7,127.0.0.8}"
REDIS_URL="${REDIS_URL-redis://127.0.0.1:6379}"
MOSQUITTO_PORT="${MOSQUITTO_PORT-18883}"
NODE_OPTS="${NODE_OPTS-@$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/../ora-node/jvm.options}"

# Runs the load generator ($JAR) with the options above; JAVA_OPTIONS (an array) comes from the calling script.
generator() {
    local gc
    read -r -a gc <<< "$GENERATOR_GC_OPTS"
    java ${gc[@]+"${gc[@]}"} ${JAVA_OPTIONS[@]+"${JAVA_OPTIONS[@]}"} -jar "$JAR" "$@"
}

port_open() {
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# Waits up to $3 seconds for a TCP port, failing early if the process $4 (when given) has died.
wait_for_port() {
    local host="$1" port="$2" seconds="$3" pid="${4:-}"
    for _ in $(seq 1 $((seconds * 10))); do
        if port_open "$host" "$port"; then
            return 0
        fi
        if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.1
    done
    return 1
}

# Prints a TCP port on 127.0.0.1 that nothing listens on now (the kernel's choice).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Writes "epoch-seconds busy-total node postgres redis generator" (cumulative CPU ticks) every second into $2, in the
# background (SAMPLER_PID), for cpu_between. $1 is the node's pid. PostgreSQL is every process named postgres, or,
# when $3 is given, only the server whose command line contains $3 (its data directory, say) and its backends:
# other PostgreSQL servers on the machine are not the one under test. The generator is every process whose command
# line contains $4, when given (0 otherwise).
start_sampler() {
    python3 - "$1" "${3:-}" "${4:-}" > "$2" <<'PY' &
import os, sys, time

node, postmaster_mark, generator_mark = sys.argv[1], sys.argv[2], sys.argv[3]

def cmdline_has(pid, mark):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return mark.encode() in f.read()
    except OSError:
        return False

def stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None

def ticks(pid, children=False):
    # utime + stime, and with children=True the CPU of children that have ended (backends that came and went).
    fields = stat(pid)
    if fields is None:
        return 0
    return sum(int(v) for v in fields[11:15 if children else 13])

def processes(name):
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/comm") as f:
                    if f.read().strip() == name:
                        yield pid
            except OSError:
                pass

def postgres():
    pids = list(processes("postgres"))
    if not postmaster_mark:
        return sum(ticks(pid) for pid in pids)
    for pid in pids:
        if cmdline_has(pid, postmaster_mark):
            children = [p for p in pids if (stat(p) or [None, "0"])[1] == pid]
            return ticks(pid, children=True) + sum(ticks(p) for p in children)
    return 0

while True:
    with open("/proc/stat") as f:
        cpu = [int(v) for v in f.readline().split()[1:]]
    busy = sum(cpu) - cpu[3] - cpu[4]
    redis = sum(ticks(pid) for pid in processes("redis-server"))
    generator = sum(ticks(pid) for pid in os.listdir("/proc") if generator_mark and pid.isdigit()
                    and pid != str(os.getpid()) and cmdline_has(pid, generator_mark))
    print(f"{time.time():.1f} {busy} {ticks(node) if node else 0} {postgres()} {redis} {generator}", flush=True)
    time.sleep(1)
PY
    SAMPLER_PID=$!
}

# CPU in % of one core between two epoch seconds of the log $1 written by start_sampler:
# "machine N node N postgres N redis N [generator N] other N" (the generator when the sampler was told it).
cpu_between() {
    python3 - "$1" "$2" "$3" "$(getconf CLK_TCK)" <<'PY'
import sys

path, start, end, hz = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
rows = [list(map(float, line.split())) for line in open(path) if len(line.split()) == 6]
window = [r for r in rows if start <= r[0] <= end]
if len(window) < 2:
    print("cpu n/a")
    sys.exit()
first, last = window[0], window[-1]
seconds = last[0] - first[0]
machine, node, postgres, redis, generator = [100.0 * (last[i] - first[i]) / hz / seconds for i in range(1, 6)]
parts = "machine %.0f%% node %.0f%% postgres %.0f%% redis %.0f%%" % (machine, node, postgres, redis)
if last[5] > 0:
    parts += " generator %.0f%%" % generator
print(parts + " other %.0f%%" % (machine - node - postgres - redis - generator))
PY
}

# A fresh PostgreSQL database on 127.0.0.1 (trust auth, user postgres) named $1_<nanoseconds>; prints its name.
fresh_database() {
    local db="$1_$(date +%s%N)"
    psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $db" >/dev/null
    echo "$db"
}

# Starts the Ora node jar $2 in the background as $1 (log $WORK/$1.log) with its state in $WORK/home (the PKI the
# population was issued from), on database $3 with Redis key prefix "$3:", every port free and on 127.0.0.1.
# NODE_JAVA (an array) holds its JVM options, NODE_ENV_VARS (an array of NAME=value) extra environment, e.g.
# ORA_SEED_NODES; ORA_CLUSTER_PORT there replaces the free one. Sets NODE_PID, NODE_MQTT_PORT and
# NODE_MANAGEMENT_PORT, and returns once the MQTT port is open (failing if the node dies first).
start_ora_node() {
    local name="$1" jar="$2" db="$3"
    NODE_MQTT_PORT="$(free_port)"
    NODE_MANAGEMENT_PORT="$(free_port)"
    env ORA_HOME="$WORK/home" ORA_DEV_PKI=off ORA_MQTT_HOST=127.0.0.1 ORA_MQTT_PORT="$NODE_MQTT_PORT" \
        ORA_HTTP_HOST=127.0.0.1 ORA_HTTP_PORT="$(free_port)" ORA_DEVICE_HTTPS_PORT="$(free_port)" \
        ORA_MANAGEMENT_PORT="$NODE_MANAGEMENT_PORT" ORA_CLUSTER_PORT="$(free_port)" \
        ORA_DB_URL="jdbc:postgresql://127.0.0.1:5432/$db" ORA_DB_USER=postgres \
        ORA_REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}" ORA_REDIS_KEY_PREFIX="$db:" \
        ${NODE_ENV_VARS[@]+"${NODE_ENV_VARS[@]}"} \
        java ${NODE_JAVA[@]+"${NODE_JAVA[@]}"} -jar "$jar" > "$WORK/$name.log" 2>&1 &
    NODE_PID=$!
    wait_for_port 127.0.0.1 "$NODE_MQTT_PORT" 120 "$NODE_PID" \
        || fail "$name did not open its MQTT port; see $WORK/$name.log"
}

# Starts the Ora broker named by $1, NAME=JAR[@JVM-OPTIONS] (the options after @, else NODE_OPTS; NODE_ENV, words
# of NAME=value, adds environment), on a fresh database named after $2, and grants the population's bindings there.
# Sets BROKER_PID and PORT.
start_ora_broker() {
    local spec="$1" jar options db NODE_JAVA NODE_ENV_VARS=()
    jar="${spec#*=}"
    options="$NODE_OPTS"
    if [[ "$jar" == *@* ]]; then
        options="${jar#*@}"
        jar="${jar%%@*}"
    fi
    read -r -a NODE_JAVA <<< "$options"
    if [[ -n "${NODE_ENV:-}" ]]; then
        read -r -a NODE_ENV_VARS <<< "$NODE_ENV"
    fi
    db="$(fresh_database "$2")"
    start_ora_node "${spec%%=*}" "$jar" "$db"
    BROKER_PID="$NODE_PID"
    grant_population "$jar" "$db"
    PORT="$NODE_MQTT_PORT"
}

# Grants the population's bindings ($WORK/certs/bindings.txt) in database $2 with the node jar $1.
grant_population() {
    ORA_HOME="$WORK/home" ORA_DEV_PKI=off ORA_DB_URL="jdbc:postgresql://127.0.0.1:5432/$2" ORA_DB_USER=postgres \
        java -jar "$1" grant --file "$WORK/certs/bindings.txt" >&2
}

# Empties $WORK and the results file $RESULTS, and raises the open-file limit to $1 descriptors (failing with the
# hard limit in the message when $2 is "strict", warning otherwise).
prepare_run() {
    local needed="$1" strict="${2:-}"
    rm -rf "$WORK"
    mkdir -p "$WORK"
    : > "$RESULTS"
    if [[ "$(ulimit -n)" != unlimited && "$(ulimit -n)" -lt "$needed" ]]; then
        if ! ulimit -n "$needed" 2>/dev/null; then
            [[ "$strict" == strict ]] && fail "the open-file limit $(ulimit -n) (hard $(ulimit -Hn)) is below" \
                "the $needed descriptors needed"
            log "warning: open-file limit $(ulimit -n) is below $needed"
        fi
    fi
}

# One broker at a time (BROKER_PID, on PORT): Mosquitto with the population's generated configuration, stopped by
# cleanup, which also runs on exit, Ctrl-C and TERM once stop_broker_on_exit has been called.
start_mosquitto() {
    "${MOSQUITTO:-/usr/sbin/mosquitto}" -c "$WORK/certs/mosquitto.conf" > "$WORK/mosquitto.log" 2>&1 &
    BROKER_PID=$!
    wait_for_port 127.0.0.1 "$MOSQUITTO_PORT" 10 "$BROKER_PID" || fail "mosquitto did not start"
    PORT="$MOSQUITTO_PORT"
}

cleanup() {
    stop_process "${BROKER_PID:-}" broker
    BROKER_PID=""
}

stop_broker_on_exit() {
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
