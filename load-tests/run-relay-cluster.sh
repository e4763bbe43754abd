#!/usr/bin/env bash
# The relay's cross-node cost: the same load on one Ora node and on a cluster of three on this machine, with the
# hubs on nodes 1 and 2 and the apps on node 3, so that every message crosses from one node to another. The CPU of
# all the nodes together is divided by the messages sent: cost per message, single node against cluster, in
# alternating rounds. On a machine with fewer cores than nodes + generator the rate a cluster reaches says nothing,
# so this compares the CPU per message at a fixed rate, which every node can carry.
#
# usage: load-tests/run-relay-cluster.sh [NAME=ora-node.jar ...]   (default ora=ora-node/target/ora-node.jar)
#
#   e.g. load-tests/run-relay-cluster.sh after=ora-node/target/ora-node.jar before=/tmp/ora-before.jar
#   Every round measures each jar in turn, single node then cluster.
#
# Settings from the environment (defaults in brackets):
#   HUBS [1000] APPS [200]      population (limits as shipped: 200 apps keep each app under publish-rate)
#   RATE [6000]                 offered msg/s of every measured run (20 s after 5 s unmeasured)
#   QOS_LIST ["0 1"]            the QoS of the measured runs, in turn, on the same nodes
#   ROUNDS [2]                  rounds; each measures the single node, then the cluster, each freshly started
#   SERVER_WARMUP [40]          seconds of unmeasured QoS 1 load at RATE on freshly started nodes (the JIT)
#   NODE_OPTS [@ora-node/jvm.options]   every node's JVM options (the shipped ones)
#   SOURCE_ADDRESSES [127.0.0.1,...,127.0.0.8]   as in run-relay-comparison.sh
#   REDIS_URL [redis://127.0.0.1:6379]; each topology gets a fresh PostgreSQL database on 127.0.0.1 (needs psql)
#
# Writes under load-tests/target/relay-cluster/; prints every RESULT line tagged with round, jar, topology and QoS.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAR="$HERE/target/load-tests.jar"
NODE_JAR=""
WORK="$HERE/target/relay-cluster"
RESULTS="$WORK/results.txt"
HUBS="${HUBS:-1000}"
APPS="${APPS:-200}"
RATE="${RATE:-6000}"
QOS_LIST="${QOS_LIST:-0 1}"
ROUNDS="${ROUNDS:-2}"
SERVER_WARMUP="${SERVER_WARMUP:-40}"
READY_SECONDS=180
JAVA_OPTIONS=()
NODE_PIDS=()
MQTT_PORTS=()

# shellcheck source=bench-common.sh
source "$HERE/bench-common.sh"

[[ -f "$JAR" ]] || fail "$JAR is missing: mvn -o -pl load-tests package"
[[ $# -ge 1 ]] || set -- "ora=$HERE/../ora-node/target/ora-node.jar"
for spec in "$@"; do
    [[ "$spec" == *=* && -f "${spec#*=}" ]] || fail "$spec: expected NAME=JAR naming a built node jar"
done
command -v psql >/dev/null || fail "psql is needed to give each topology a fresh database"
command -v curl >/dev/null || fail "curl is needed to wait for the nodes to be ready"

stop_nodes() {
    local i
    for i in "${!NODE_PIDS[@]}"; do
        stop_process "${NODE_PIDS[$i]}" "node $((i + 1))"
    done
    NODE_PIDS=()
    MQTT_PORTS=()
}
trap stop_nodes EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

prepare_run $((2 * HUBS + APPS + 4096))

PKI="$WORK/home/pki"
log "issuing $HUBS hubs and $APPS apps"
generator certs --ca-dir "$PKI" --hubs "$HUBS" --apps "$APPS" --out "$WORK/certs" --mosquitto-user none >&2
CERTS="$WORK/certs"

# Starts node number $1 of the topology named $2 on database $3, joining the cluster of seed $4 on cluster port $5,
# and waits until it is ready: a member of the cluster that is Up, every role serving (docs/operations.md).
start_node() {
    local number="$1" name="$2" db="$3" seed="$4" cluster_port="$5" NODE_JAVA
    local NODE_ENV_VARS=(ORA_SEED_NODES="$seed" ORA_CLUSTER_PORT="$cluster_port")
    read -r -a NODE_JAVA <<< "$NODE_OPTS"
    start_ora_node "$name-node$number" "$NODE_JAR" "$db"
    NODE_PIDS+=("$NODE_PID")
    MQTT_PORTS+=("$NODE_MQTT_PORT")
    for _ in $(seq 1 $((READY_SECONDS * 10))); do
        if curl -fsS -o /dev/null "http://127.0.0.1:$NODE_MANAGEMENT_PORT/ready" 2>/dev/null; then
            return 0
        fi
        kill -0 "$NODE_PID" 2>/dev/null || fail "node $number of $name died; see $WORK/$name-node$number.log"
        sleep 0.1
    done
    fail "node $number of $name was not ready in ${READY_SECONDS} s; see $WORK/$name-node$number.log"
}

# Starts $1 nodes on a fresh database, the first being every node's seed, and grants the population's bindings.
start_topology() {
    local count="$1" name="$2" db seed_port seed i
    db="$(fresh_database ora_cluster)"
    seed_port="$(free_port)"
    seed="pekko://ora@127.0.0.1:$seed_port"
    log "$name: starting $count node(s)"
    start_node 1 "$name" "$db" "$seed" "$seed_port"
    for i in $(seq 2 "$count"); do
        start_node "$i" "$name" "$db" "$seed" "$(free_port)"
    done
    grant_population "$NODE_JAR" "$db"
}

# The generator's placement options: one node takes everyone; three put the hubs on 1 and 2 and the apps on 3.
placement() {
    if [[ "${#MQTT_PORTS[@]}" -eq 1 ]]; then
        echo "--port ${MQTT_PORTS[0]}"
    else
        echo "--port ${MQTT_PORTS[0]} --hub-ports ${MQTT_PORTS[0]},${MQTT_PORTS[1]} --app-port ${MQTT_PORTS[2]}"
    fi
}

measure() {
    local round="$1" name="$2" jar="$3" where pids line qos
    read -r -a where <<< "$(placement)"
    pids="$(IFS=,; echo "${NODE_PIDS[*]}")"
    if [[ "$SERVER_WARMUP" -gt 0 ]]; then
        generator relay --host 127.0.0.1 "${where[@]}" --certs "$CERTS" --source-addresses "$SOURCE_ADDRESSES" \
            --hubs "$HUBS" --apps "$APPS" --qos 1 --rate "$RATE" --duration "$SERVER_WARMUP" --warmup 0 \
            >> "$WORK/warmup.log" 2>&1 || log "warm-up run failed (see $WORK/warmup.log); measuring anyway"
    fi
    for qos in $QOS_LIST; do
        set +e
        line="$(generator relay --host 127.0.0.1 "${where[@]}" --certs "$CERTS" \
            --source-addresses "$SOURCE_ADDRESSES" --server-pid "$pids" --hubs "$HUBS" --apps "$APPS" \
            --qos "$qos" --rate "$RATE" --duration 20 --warmup 5 2>>"$WORK/generator.log" \
            | tee -a "$WORK/generator.log" | grep '^RESULT' | tail -1)"
        set -e
        echo "round=$round jar=$jar topology=$name nodes=${#NODE_PIDS[@]} qos=$qos ${line:-FAILED (see $WORK/generator.log)}" \
            | tee -a "$RESULTS"
    done
}

for round in $(seq 1 "$ROUNDS"); do
    for spec in "$@"; do
        NODE_JAR="${spec#*=}"
        start_topology 1 single
        measure "$round" single "${spec%%=*}"
        stop_nodes
        start_topology 3 cluster
        measure "$round" cluster "${spec%%=*}"
        stop_nodes
    done
done
