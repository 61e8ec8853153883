#!/usr/bin/env bash
# What the synchronous facade (POST /v1/chat/completions through Sluice) costs and carries, on one api instance:
#
#   latency  - N sequential chat calls straight at the simulator, then N through the facade, at low load
#              (one call at a time); p50/p99 of each and what Sluice adds (store + publish + queue + worker
#              claim + pacer + the finished notification + reading the row back), where it goes, and the CPU time
#              per facade call of the api, the worker, all of PostgreSQL and RabbitMQ while the calls are measured.
#   waiting  - CALLERS (1,000) chat calls through the facade at once, on a model paced at WAIT_PACE (20 per 1 s: 50 s
#              for 1,000), so that most of them wait in the queue at the same time; how many succeeded, how many
#              waited at once in the api (its sluice_facade_waiting gauge), wall time and p50/p99.
#
# The simulator answers in 50 ms (no jitter) with a limit far above the load (100000/60s), so the latency rows
# measure Sluice and not the provider's limit. The stack (simulator, api, 1 worker) is started with
# bin/sluice-local on its own PostgreSQL database and RabbitMQ vhost, both dropped at the end.
#
#   bench/facade-table.sh                    N=200, CALLERS=1000, api on :18090, simulator on :13020
#   N=500 CALLERS=2000 bench/facade-table.sh
#   WARMUP=1000 CALLERS=0 bench/facade-table.sh   1,000 unmeasured calls each way first (default 20): warmer JVMs
#   WARMUP=20000 WARMUP_CALLERS=16 CALLERS=0 bench/facade-table.sh   20,000, made by 16 callers at once (default 1):
#                                                 a stack whose JIT has compiled the whole call, in a minute or two
#   N=4000 BLOCK=400 WARMUP=0 CALLERS=0 bench/facade-table.sh   also p50/p99 of every 400 calls each way, in turn
#                                                 (stderr): how far into a run the stack is warm, measured in one run
#   N=20 WAIT_PACE=none bench/facade-table.sh     the 1,000 callers on the latency rows' model, at the stack's limit
#                                                 (100,000 per 60 s): how fast one tenant's calls are stored, taken
#                                                 and answered when all arrive at once
#
# Uses this tree's jars (building them if missing). Progress on stderr, the tables on stdout.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${N:-200}
CALLERS=${CALLERS:-1000}
export API_PORT=${API_PORT:-18090} SIMULATOR_PORT=${SIMULATOR_PORT:-13020}
DB=sluice_facade_bench
VHOST=sluice-facade-bench
PGUSER=${SPRING_DATASOURCE_USERNAME:-postgres}
API=http://localhost:$API_PORT
SIM=http://localhost:$SIMULATOR_PORT
# WAIT_PACE: "<requests>/<seconds>" for the waiting run's model, or "none" for the latency rows' model unpaced.
WAIT_PACE=${WAIT_PACE:-20/1}
if [[ $WAIT_PACE == none ]]; then
    WAIT_MODEL=openai/gpt-4o-mini
else
    WAIT_MODEL=anthropic/claude-3-5-haiku
fi

log() { printf '%s\n' "$*" >&2; }
die() { log "facade-table: $*"; exit 2; }
command -v jq >/dev/null || die "needs jq"
command -v rabbitmqctl >/dev/null || die "needs rabbitmqctl (the bench gets a vhost of its own)"
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
[[ -x $JAVA ]] || die "set JAVA_HOME to a Java 21+"
export JAVA_HOME=${JAVA%/bin/java}

for module in upstream-simulator api-service worker-service; do
    if [[ ! -f $ROOT/$module/target/$module.jar ]]; then
        log "building the jars ..."
        (cd "$ROOT" && ./mvnw -q -B -DskipTests package) >&2
        break
    fi
done

RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sluice-facade.XXXXXX")
export SLUICE_RUN_DIR=$RUN_DIR SLUICE_WORKERS=1 SLUICE_ADMIN_KEY=sk-admin-facade-bench \
    SPRING_DATASOURCE_URL=jdbc:postgresql://localhost:5432/$DB SPRING_RABBITMQ_VIRTUAL_HOST=$VHOST \
    SIMULATOR_LIMIT=100000/60s SLUICE_DEFAULT_LIMIT=100000/60s SIMULATOR_LATENCY_MS=50 SIMULATOR_JITTER_MS=0 \
    SLUICE_QUOTA_WAITING_FACADE_CALLS=100000
# ^ one tenant makes all the calls: its waiting_facade_calls quota (default 256) must not refuse the 1,000 callers.
unset SLUICE_UPSTREAM_BASE_URL SLUICE_FACADE_UPSTREAM_BASE_URL

cleanup() {
    local rc=$?
    "$ROOT/bin/sluice-local" stop >&2 || true
    dropdb -h localhost -U "$PGUSER" --if-exists --force "$DB" >/dev/null 2>&1 || true
    rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
    [[ $rc == 0 ]] && rm -rf "$RUN_DIR" || log "facade-table: exit $rc; logs kept in $RUN_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

dropdb -h localhost -U "$PGUSER" --if-exists --force "$DB" >/dev/null 2>&1 || true
rabbitmqctl -q delete_vhost "$VHOST" >/dev/null 2>&1 || true
rabbitmqctl -q add_vhost "$VHOST" >/dev/null
rabbitmqctl -q set_permissions -p "$VHOST" "${SPRING_RABBITMQ_USERNAME:-guest}" '.*' '.*' '.*' >/dev/null

log "starting simulator :$SIMULATOR_PORT, api :$API_PORT, 1 worker (logs: $RUN_DIR)"
"$ROOT/bin/sluice-local" start | tee "$RUN_DIR/start.out" >&2
source "$ROOT/bench/started-from.sh"
STARTED_FROM=$(started_from "$RUN_DIR/start.out")
admin() { curl -fsS -m 10 -H "Authorization: Bearer $SLUICE_ADMIN_KEY" -H 'Content-Type: application/json' "$@"; }
KEY=$(admin -X POST "$API/admin/api-keys" -d '{"name":"facade-bench"}' | jq -r .key)
[[ -n $KEY && $KEY != null ]] || die "could not create an API key"
if [[ $WAIT_PACE != none ]]; then
    admin -X PUT "$API/admin/limits" \
        -d "{\"model\":\"$WAIT_MODEL\",\"requests\":${WAIT_PACE%/*},\"per_seconds\":${WAIT_PACE#*/}}" >/dev/null
fi

echo "## Added latency at low load ($N sequential calls each way after ${WARMUP:-20} unmeasured ones$(
    [[ ${WARMUP_CALLERS:-1} == 1 ]] || echo " by ${WARMUP_CALLERS} callers at once"), simulator latency 50 ms)"
echo
echo "The api and the worker started from $STARTED_FROM."
echo
# CPU time (user + system, /proc/PID/stat, threads that have ended included) of the stack's processes and of all of
# PostgreSQL's and RabbitMQ's, in nanoseconds: read once the client logs "measuring" (its warm-up calls are over) and
# after the measured calls.
TICK_NS=$((1000000000 / $(getconf CLK_TCK)))
cpu_ns() { local sum=0 pid; for pid in "$@"; do [[ -r /proc/$pid/stat ]] && sum=$((sum + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo $((sum * TICK_NS)); }
cpu_all() {  # api worker simulator postgres rabbitmq
    echo "$(cpu_ns "$(cat "$RUN_DIR/api.pid")") $(cpu_ns "$(cat "$RUN_DIR/worker-1.pid")") $(cpu_ns "$(cat "$RUN_DIR/simulator.pid")")" \
        "$(cpu_ns $(pgrep -u postgres)) $(cpu_ns $(pgrep -f beam.smp))"
}
"$JAVA" -Dcalls="$RUN_DIR/calls.csv" -Dwarmup="${WARMUP:-20}" -DwarmupCallers="${WARMUP_CALLERS:-1}" -Dblock="${BLOCK:-0}" "$ROOT/bench/facade-bench.java" latency "$API" "$KEY" "$SIM" "$N" \
    2> >(while IFS= read -r line; do
             [[ $line == measuring* ]] && cpu_all >"$RUN_DIR/cpu.before"
             printf '%s\n' "$line" >&2
         done)
cpu_all >"$RUN_DIR/cpu.after"
echo
# Where the added time goes: each measured facade call's send and answer times (the client's clock) beside its job
# row's timestamps (one machine, one clock), medians over the calls. The steps in order:
#   sent -> created_at        the api before storing: HTTP, the key (remembered after the first call), the body
#   created_at -> started_at  store with the waiting-calls quota lease (one transaction), publish, the broker, the
#                             worker's intake and pacer grant, the claim
#   claimed -> finished       less latency_ms (the provider call as the worker timed it): the worker's own work
#                             around the call (completed_at is taken just before the finishing statement)
#   completed_at -> answered  the commit, the notification, the api reading the row, the answer, the client reading it
if [[ -s $RUN_DIR/cpu.before ]]; then
    # Over the measured calls: N direct calls (the simulator's work, the client's) and N through the facade, one at a
    # time; the api's, worker's, PostgreSQL's and RabbitMQ's time is the facade calls' (and whatever they do idle).
    read -r a0 w0 s0 p0 r0 <"$RUN_DIR/cpu.before"
    read -r a1 w1 s1 p1 r1 <"$RUN_DIR/cpu.after"
    echo "CPU per facade call while measuring (ms; the simulator's includes the direct calls): api $(awk -v d=$((a1 - a0)) -v n="$N" 'BEGIN { printf "%.2f", d / n / 1e6 }')," \
        "worker $(awk -v d=$((w1 - w0)) -v n="$N" 'BEGIN { printf "%.2f", d / n / 1e6 }')," \
        "PostgreSQL $(awk -v d=$((p1 - p0)) -v n="$N" 'BEGIN { printf "%.2f", d / n / 1e6 }')," \
        "RabbitMQ $(awk -v d=$((r1 - r0)) -v n="$N" 'BEGIN { printf "%.2f", d / n / 1e6 }')," \
        "simulator $(awk -v d=$((s1 - s0)) -v n="$N" 'BEGIN { printf "%.2f", d / n / 1e6 }')"
    echo
fi
echo "Where the added time goes (medians over the $N facade calls, ms; the provider call beside it):"
echo
psql -h localhost -U "$PGUSER" -d "$DB" -q -v ON_ERROR_STOP=1 <<SQL || true
CREATE TEMP TABLE calls (prompt text, sent_us bigint, answered_us bigint);
\copy calls FROM '$RUN_DIR/calls.csv' WITH (FORMAT csv)
WITH steps AS (
    SELECT extract(epoch FROM j.created_at) * 1e3 - c.sent_us / 1e3 AS before_store,
           extract(epoch FROM j.started_at - j.created_at) * 1e3 AS to_claim,
           extract(epoch FROM j.completed_at - j.started_at) * 1e3 - j.latency_ms AS worker_around_call,
           j.latency_ms AS provider_call,
           c.answered_us / 1e3 - extract(epoch FROM j.completed_at) * 1e3 AS to_answer,
           (c.answered_us - c.sent_us) / 1e3 - j.latency_ms AS added
      FROM calls c JOIN jobs j ON j.body::jsonb -> 'messages' -> 0 ->> 'content' = c.prompt)
SELECT count(*) AS calls,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY before_store)::numeric, 1) AS "sent->created",
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY to_claim)::numeric, 1) AS "created->claimed",
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY worker_around_call)::numeric, 1) AS "claimed->finished less call",
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY to_answer)::numeric, 1) AS "finished->answered",
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY added)::numeric, 1) AS "total less call, p50",
       round(percentile_cont(0.99) WITHIN GROUP (ORDER BY added)::numeric, 1) AS "p99",
       percentile_cont(0.5) WITHIN GROUP (ORDER BY provider_call) AS "provider call"
  FROM steps;
SQL
echo
[[ $CALLERS -gt 0 ]] || exit 0
echo "## $CALLERS callers at once on one api instance ($WAIT_MODEL paced at $([[ $WAIT_PACE == none ]] && echo "the stack's 100000 per 60 s" || echo "${WAIT_PACE%/*} per ${WAIT_PACE#*/} s"))"
echo
"$JAVA" -Dmodel="$WAIT_MODEL" "$ROOT/bench/facade-bench.java" waiting "$API" "$KEY" "$CALLERS"
echo
echo "simulator 429s: $(curl -fsS "$SIM/__stats" | jq .totals.rate_limited)"
