#!/usr/bin/env bash
# Portal benchmark: Gatling steps of authenticated project reads (GET /v1/projects/{id}) and project creations
# (POST /v1/projects) at fixed arrival rates, one Gatling run per rate, with the CPU use of the node, PostgreSQL and
# Redis during each measured window. Prints a table per operation; the highest rate with p99 below P99_LIMIT_MS and
# no failed request is the figure for docs/benchmarks.md.
#
# usage: load-tests/run-portal-benchmark.sh
#
# Settings come from the environment (defaults in brackets):
#   READ_RATES ["500 1000 2000 3000 4000"]    requests/s, one step each; empty: no read steps
#   CREATE_RATES ["100 200 400 800"]          empty: no create steps
#   WARMUP [20] DURATION [60]                 seconds per step: warm-up (not measured), then measured
#   P99_LIMIT_MS [50]                         a step passes with p99 below this and no failed request
#   INSTALLERS [50] PROJECTS [20]             population: electricians, and projects each (reads spread over all)
#   GATLING_WARMUP [30]                       before the steps, one unrecorded read run and one create run at the
#                                             first rates (this many seconds of warm-up, then as long again at the
#                                             rate), so that the node's JIT is warm when the first step is measured
#   SOURCE_ADDRESSES [50]                     spread the load over 127.0.0.1 .. 127.0.0.N (per-address rate-limit
#                                             buckets see N clients); 1 = everything from 127.0.0.1
#   ORA_START [1]                             1: start the node (and stop it at the end); 0: use the one at PORTAL_URL
#   ORA_EMBEDDED [0]                          with ORA_START=1: 0 = this machine's PostgreSQL (database BENCH_DB,
#                                             created here and dropped at the end) and Redis (database 15, keys under
#                                             ora-bench:); 1 = the node's embedded PostgreSQL and Redis
#   BENCH_DB [ora_bench] PGHOST [127.0.0.1] PGUSER [postgres] REDIS_URL [redis://127.0.0.1:6379/15]
#   NODE_JAVA_OPTS ["-Xmx1g -XX:MaxGCPauseMillis=5"]
#   NODE_JAR [ora-node/target/ora-node.jar]
#   PORTAL_URL [http://127.0.0.1:8080]        with ORA_START=0, the node must have been started with raised rate
#   ORA_PID []                                limits (see RATE_LIMIT_OPTS below) and ORA_PID names it for CPU figures
#   PROFILE_READ_RATE [] PROFILE_CREATE_RATE []  record a JFR profile of the node during that step's measured window
#   JFR_SETTINGS [profile]                    the recording's settings (a .jfc file, or a name the JDK ships)
#
# Builds nothing: it needs ora-node/target/ora-node.jar (mvn -B -q -DskipTests package) and compiles the simulations
# with `mvn -pl load-tests test-compile`, which takes hub-kit and ora-core from the local Maven repository (install
# them once: mvn -B -q -DskipTests install). Everything goes under load-tests/target/portal-benchmark/, the Gatling
# reports under load-tests/target/gatling/. Only loopback addresses are used (the portal at 127.0.0.1).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
NODE_JAR="${NODE_JAR:-$ROOT/ora-node/target/ora-node.jar}"
WORK="$HERE/target/portal-benchmark"
RESULTS="$WORK/results.txt"
POPULATION="$WORK/population.csv"

READ_RATES="${READ_RATES-500 1000 2000 3000 4000}"
CREATE_RATES="${CREATE_RATES-100 200 400 800}"
WARMUP="${WARMUP:-20}"
DURATION="${DURATION:-60}"
P99_LIMIT_MS="${P99_LIMIT_MS:-50}"
INSTALLERS="${INSTALLERS:-50}"
PROJECTS="${PROJECTS:-20}"
GATLING_WARMUP="${GATLING_WARMUP:-30}"
ORA_START="${ORA_START:-1}"
ORA_EMBEDDED="${ORA_EMBEDDED:-0}"
BENCH_DB="${BENCH_DB:-ora_bench}"
PGHOST="${PGHOST:-127.0.0.1}"
PGUSER="${PGUSER:-postgres}"
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/15}"
REDIS_PREFIX="ora-bench:"
NODE_JAVA_OPTS="${NODE_JAVA_OPTS:--Xmx1g -XX:MaxGCPauseMillis=5}"
PORTAL_URL="${PORTAL_URL:-http://127.0.0.1:8080}"
SOURCE_ADDRESSES="${SOURCE_ADDRESSES:-50}"
PROFILE_READ_RATE="${PROFILE_READ_RATE:-}"
PROFILE_CREATE_RATE="${PROFILE_CREATE_RATE:-}"
JFR_SETTINGS="${JFR_SETTINGS:-profile}"
export PGHOST PGUSER

# The rate limits stay on (every request still spends a token from its user's and its address's bucket in Redis);
# only their capacities are raised, so one generator address and 50 users can offer thousands of requests a second.
RATE_LIMIT_OPTS=()
for class in read write sensitive token; do
    RATE_LIMIT_OPTS+=("-Dora.portal.rate-limits.classes.$class.per-ip.capacity=100000000")
done
for class in read write sensitive; do
    RATE_LIMIT_OPTS+=("-Dora.portal.rate-limits.classes.$class.per-user.capacity=100000000")
done

ORA_NODE_PID="${ORA_PID:-}"
STARTED_NODE=""
CREATED_DB=""
SAMPLER_PID=""

# shellcheck source=bench-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"

cleanup() {
    stop_process "$SAMPLER_PID" "CPU sampler"
    stop_process "$STARTED_NODE" "Ora node"
    if [[ -n "$CREATED_DB" ]]; then
        log "dropping database $BENCH_DB"
        psql -q -c "DROP DATABASE IF EXISTS $BENCH_DB" >/dev/null || log "warning: could not drop $BENCH_DB"
        # Rate-limit buckets and cache entries expire by themselves; remove them now all the same.
        redis-cli -u "$REDIS_URL" --scan --pattern "$REDIS_PREFIX*" | xargs -r -n 500 redis-cli -u "$REDIS_URL" \
            DEL >/dev/null || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

portal_up() {
    curl -fsS -o /dev/null --max-time 2 "$PORTAL_URL/v1/health" 2>/dev/null
}

# Cumulative "EVAL PSETEX" calls of the Redis server: bucket4j's compare-and-swap attempts, and the successful ones.
redis_cas_counts() {
    if [[ "$ORA_EMBEDDED" == 1 ]] || ! command -v redis-cli >/dev/null; then
        echo "0 0"
        return
    fi
    redis-cli -u "$REDIS_URL" INFO commandstats | tr -d '\r' | awk -F'[:=,]' '
        $1 == "cmdstat_eval" { eval = $3 } $1 == "cmdstat_psetex" { psetex = $3 } END { print eval + 0, psetex + 0 }'
}

# Runs one simulation; prints the Gatling run's log path. Extra arguments are -D options.
gatling() {
    local simulation="$1" label="$2"
    shift 2
    local output="$WORK/$label.log"
    (cd "$ROOT" && mvn -B -pl load-tests gatling:test \
        -Dgatling.simulationClass="io.ora.load.portal.$simulation" \
        -Dgatling.data.enableAnalytics=false \
        -Dportal.url="$PORTAL_URL" -Dportal.population="$POPULATION" -Dportal.source-addresses="$SOURCE_ADDRESSES" \
        "$@") > "$output" 2>&1 || true
    echo "$output"
}

# The newest report directory of a simulation.
report_of() {
    local simulation
    simulation="$(tr '[:upper:]' '[:lower:]' <<< "$1")"
    find "$HERE/target/gatling" -maxdepth 1 -type d -name "$simulation-*" -printf '%T@ %p\n' | sort -n | tail -1 \
        | cut -d' ' -f2-
}

# One request's row of a Gatling report's statistics table, as "total ok ko p50 p95 p99 p99.9 max" (ms). Gatling 3.15
# writes no machine-readable statistics (stats.json is gone), so this reads its index.html, by column titles.
report_figures() {
    python3 - "$1/index.html" "$2" <<'PY'
import html, re, sys

page = open(sys.argv[1], encoding="utf-8").read()
titles = {}
for column, cell in re.findall(r'<th id="col-(\d+)"[^>]*>(.*?)</th>', page, re.S):
    titles[re.sub(r"<[^>]+>", "", cell).strip()] = column
for row in re.findall(r"<tr id=.*?</tr>", page, re.S):
    name = re.search(r'class="ellipsed-name">(.*?)</span>', row, re.S)
    if name and html.unescape(name.group(1)).strip() == sys.argv[2]:
        cells = dict(re.findall(r'<td class="[^"]*col-(\d+)">([^<]*)</td>', row))
        wanted = ["Total", "OK", "KO", "50th pct", "95th pct", "99th pct", "99.9th pct", "Max"]
        print(" ".join(cells[titles[title]].strip() for title in wanted))
        break
else:
    sys.exit("no statistics for " + sys.argv[2])
PY
}

# One measured step: Gatling at $rate, the figures of the measured request, the CPU of its measured window.
step() {
    local simulation="$1" request="$2" rate="$3" profile="$4"
    local label
    label="$(tr '[:upper:]' '[:lower:]' <<< "${simulation%Simulation}")-$rate"
    log "$label: $rate/s, ${WARMUP}s warm-up + ${DURATION}s measured"
    if [[ "$profile" == "$rate" && -n "$ORA_NODE_PID" ]]; then
        # Maven and Gatling take a few seconds to start: begin well inside the measured window.
        jcmd "$ORA_NODE_PID" JFR.start name="$label" settings="$JFR_SETTINGS" delay="$((WARMUP + 10))s" \
            duration="$((DURATION - 15))s" filename="$WORK/$label.jfr" >/dev/null
        log "$label: recording a JFR profile to $WORK/$label.jfr"
    fi
    local started output report cas_before cas_after
    started="$(date +%s)"
    cas_before="$(redis_cas_counts)"
    output="$(gatling "$simulation" "$label" -Dportal.rate="$rate" -Dportal.warmup="$WARMUP" \
        -Dportal.duration="$DURATION" -Dportal.p99-limit-ms="$P99_LIMIT_MS")"
    cas_after="$(redis_cas_counts)"
    report="$(report_of "$simulation")"
    if [[ -z "$report" || ! -f "$report/index.html" || "$(stat -c %Y "$report")" -lt "$started" ]]; then
        tail -40 "$output" >&2
        fail "$label: Gatling produced no report; its output is in $output"
    fi
    # The measured window: Gatling's load starts when the simulation logs "load starts"; skip its first seconds.
    local load_start cpu
    load_start="$(sed -n 's/.*load starts at \([0-9]*\).*/\1/p' "$output" | head -1)"
    if [[ -n "$load_start" ]]; then
        cpu="$(cpu_between "$WORK/cpu.log" "$((load_start / 1000 + WARMUP + 2))" \
            "$((load_start / 1000 + WARMUP + DURATION - 1))")"
    else
        cpu="cpu n/a"
    fi
    local total ok ko p50 p95 p99 p999 max verdict
    read -r total ok ko p50 p95 p99 p999 max <<< "$(report_figures "$report" "$request")"
    verdict=FAIL
    if [[ "$ko" == 0 && "$p99" -lt "$P99_LIMIT_MS" ]]; then
        verdict=pass
    fi
    # Compare-and-swap attempts per bucket update, over the whole run: 1.0 means no contention on the buckets.
    local cas
    cas="$(awk -v b="$cas_before" -v a="$cas_after" 'BEGIN { split(b, x, " "); split(a, y, " ");
        if (y[2] > x[2]) printf "%.2f", (y[1] - x[1]) / (y[2] - x[2]); else printf "n/a" }')"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rate" "$(awk -v n="$ok" -v d="$DURATION" \
        'BEGIN { printf "%.1f", n / d }')" "$total" "$ko" "$p50" "$p95" "$p99" "$p999" "$max" "$verdict" "$cas" "$cpu" \
        | tee -a "$RESULTS"
}

header() {
    printf '%s\n' "$1" "rate/s	ok/s	requests	failed	p50	p95	p99	p99.9	max(ms)	verdict	CAS/update	cpu (% of one core)" \
        | tee -a "$RESULTS"
}

# --- checks and the node ------------------------------------------------------------------------------------------

for tool in java mvn curl python3 jcmd; do
    command -v "$tool" >/dev/null || fail "$tool is not on the PATH"
done
mkdir -p "$WORK"
: > "$RESULTS"

if [[ "$ORA_START" == 1 ]]; then
    [[ -f "$NODE_JAR" ]] || fail "$NODE_JAR is missing: build with 'mvn -B -q -DskipTests package'"
    portal_up && fail "something already answers at $PORTAL_URL: stop it, or use ORA_START=0"
    ORA_HOME="$(mktemp -d "$WORK/ora-home.XXXXXX")"
    node_env=(ORA_HOME="$ORA_HOME")
    if [[ "$ORA_EMBEDDED" != 1 ]]; then
        for tool in psql redis-cli; do
            command -v "$tool" >/dev/null || fail "$tool is not on the PATH (or use ORA_EMBEDDED=1)"
        done
        log "creating database $BENCH_DB on $PGHOST"
        psql -q -c "CREATE DATABASE $BENCH_DB" >/dev/null || fail "could not create database $BENCH_DB"
        CREATED_DB=1
        node_env+=(ORA_DB_URL="jdbc:postgresql://$PGHOST:5432/$BENCH_DB" ORA_DB_USER="$PGUSER"
            ORA_REDIS_URL="$REDIS_URL" ORA_REDIS_KEY_PREFIX="$REDIS_PREFIX")
    fi
    read -r -a node_java <<< "$NODE_JAVA_OPTS"
    log "starting the Ora node: java ${node_java[*]} (rate limits raised) -jar ora-node.jar"
    env "${node_env[@]}" java "${node_java[@]}" "${RATE_LIMIT_OPTS[@]}" -jar "$NODE_JAR" \
        > "$WORK/ora-node.log" 2>&1 &
    STARTED_NODE=$!
    ORA_NODE_PID="$STARTED_NODE"
    for _ in $(seq 1 120); do
        portal_up && break
        kill -0 "$STARTED_NODE" 2>/dev/null || fail "the node died; see $WORK/ora-node.log"
        sleep 1
    done
    portal_up || fail "the portal did not answer at $PORTAL_URL within 120 s; see $WORK/ora-node.log"
fi
portal_up || fail "nothing answers at $PORTAL_URL/v1/health"

{
    echo "portal benchmark $(date -u +%FT%TZ) on $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-))"
    echo "node: ${NODE_JAVA_OPTS}, $([[ "$ORA_EMBEDDED" == 1 ]] && echo embedded || echo machine) PostgreSQL/Redis"
    echo "steps: ${WARMUP}s warm-up + ${DURATION}s measured, pass = no failure and p99 < ${P99_LIMIT_MS} ms"
    echo "load from $SOURCE_ADDRESSES loopback address(es), $INSTALLERS installers x $PROJECTS projects"
} | tee -a "$RESULTS"

log "compiling the simulations"
(cd "$ROOT" && mvn -B -q -pl load-tests test-compile) >&2 || fail "the simulations do not compile"

start_sampler "$ORA_NODE_PID" "$WORK/cpu.log"

log "setting up $INSTALLERS installers with $PROJECTS projects each"
output="$(gatling PortalSetupSimulation setup -Dportal.installers="$INSTALLERS" \
    -Dportal.projects-per-installer="$PROJECTS")"
rows=$(($(wc -l < "$POPULATION") - 1))
[[ "$rows" -eq $((INSTALLERS * PROJECTS)) ]] \
    || fail "the set-up wrote $rows of $((INSTALLERS * PROJECTS)) projects; see $output"

if [[ "$GATLING_WARMUP" -gt 0 && -n "$READ_RATES" ]]; then
    log "warming the node up: reads at ${READ_RATES%% *}/s for $((2 * GATLING_WARMUP))s (not recorded)"
    gatling PortalReadSimulation warm-up-reads -Dportal.rate="${READ_RATES%% *}" -Dportal.warmup="$GATLING_WARMUP" \
        -Dportal.duration="$GATLING_WARMUP" >/dev/null
fi
if [[ "$GATLING_WARMUP" -gt 0 && -n "$CREATE_RATES" ]]; then
    log "warming the node up: creates at ${CREATE_RATES%% *}/s for $((2 * GATLING_WARMUP))s (not recorded)"
    gatling PortalCreateSimulation warm-up-creates -Dportal.rate="${CREATE_RATES%% *}" \
        -Dportal.warmup="$GATLING_WARMUP" -Dportal.duration="$GATLING_WARMUP" >/dev/null
fi

if [[ -n "$READ_RATES" ]]; then
    header "=== GET /v1/projects/{id}"
    for rate in $READ_RATES; do
        step PortalReadSimulation "GET /v1/projects/{id}" "$rate" "$PROFILE_READ_RATE"
    done
fi
if [[ -n "$CREATE_RATES" ]]; then
    header "=== POST /v1/projects"
    for rate in $CREATE_RATES; do
        step PortalCreateSimulation "POST /v1/projects" "$rate" "$PROFILE_CREATE_RATE"
    done
fi

echo
echo "=== summary ($RESULTS)"
cat "$RESULTS"
