#!/usr/bin/env bash
# Issue 16's instant-provider run, every figure beside a reference measured in the same run:
#
#   1. the simulator's own throughput (no latency, no limit: dev.sluice.simulator.bench.Throughput, 64 clients);
#   2. POLLERS (32) pollers calling GET /v1/batches/{id} back to back for DURATION (20) s on a 10-job batch of a
#      paused model (in_progress, its counts read live, nothing else running): the poll path at rest;
#   3. one LINES (100,000)-line batch through the stack (WORKERS (2) workers), with the same pollers polling it
#      the whole time until it completed: jobs/s end to end (POST to completed) and in the jobs table (first claim to
#      last finish), the pollers' req/s, p50 and p99, and from the logs the "Failed to obtain JDBC Connection"
#      errors and the lease rescues (with the jobs the rescuer re-queued, rescued_at set), which must both be 0.
#
#   bench/polling.sh                              # LINES=100000 POLLERS=32 DURATION=20 WORKERS=2
#   LINES=20000 DURATION=10 bench/polling.sh
#   LINES=0 bench/polling.sh                      # the reference poll row (2.) only
#   PACE_MS=100 bench/polling.sh                  # also a reference row with each poller waiting 100 ms between
#                                                 # polls, and the pollers of the batch run paced so
#   WARM_LINES=100000 bench/polling.sh            # first a batch of that many lines on another model, so that the
#                                                 # measurements meet a stack that has run (JIT compiled) rather than
#                                                 # a fresh one; the report's header says which
#
# Targets (issue 16): >= 1,000 jobs/s end to end on 2 cores; poll p99 <= 50 ms; 0 connection failures, 0 rescues.
# The simulator answers at once (no latency, a limit far above the load) and Sluice's default limit matches.
# The pollers are Java virtual threads (bench/poll-bench.java) on the same cores as the stack.
# Loopback only; its own database (sluice_polling) and vhost (sluice-polling), dropped at the end; ports
# API_PORT 29480, SIMULATOR_PORT 29410, WORKER_BASE_PORT 29480 (workers on 29481..).
set -euo pipefail

NAME=polling
LINES=${LINES:-100000}
POLLERS=${POLLERS:-32}
DURATION=${DURATION:-20}
PACE_MS=${PACE_MS:-0}
WARM_LINES=${WARM_LINES:-0}
WORKERS=${WORKERS:-2}
API_PORT=${API_PORT:-29480}
SIMULATOR_PORT=${SIMULATOR_PORT:-29410}
WORKER_BASE_PORT=${WORKER_BASE_PORT:-29480}
source "$(dirname "${BASH_SOURCE[0]}")/stack-lib.sh"
[[ $WARM_LINES =~ ^[0-9]+$ ]] || die "WARM_LINES: a number of lines"

unset SIMULATOR_FAILURE_RATE SIMULATOR_RESET_RATE SIMULATOR_HANG_RATE SIMULATOR_TRUNCATE_RATE SIMULATOR_RETRY_AFTER
export SIMULATOR_LIMIT=1000000/1s SIMULATOR_LATENCY_MS=0 SIMULATOR_JITTER_MS=0 SLUICE_DEFAULT_LIMIT=1000000/1s
log "starting simulator :$SIMULATOR_PORT (instant), api :$API_PORT, $WORKERS worker(s)"
stack_start

# batch_body <lines> <model>: writes an inline batch of chat requests to $SCRATCH/data/body.json
batch_body() {
    awk -v n="$1" -v model="$2" 'BEGIN {
        printf "{\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\",\"requests\":["
        for (i = 0; i < n; i++)
            printf "%s{\"custom_id\":\"c-%d\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"Question %d\"}]}}", (i ? "," : ""), i, model, i
        printf "]}"
    }' >"$SCRATCH/data/body.json"
}

# batch <lines> <model>: submits an inline batch, prints its id
batch() {
    batch_body "$1" "$2"
    curl -fsS -m 600 -X POST "$API/v1/batches" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
        --data-binary "@$SCRATCH/data/body.json" | jq -r .id
}

# The pollers, compiled once rather than by the source launcher at every start (javac in a JVM on the shared cores).
mkdir -p "$SCRATCH/poll-bench"
"$JAVA_HOME/bin/javac" -d "$SCRATCH/poll-bench" "$ROOT/bench/poll-bench.java"
# poll <batch id> <seconds> [stop file]: POLLERS clients GET the batch back to back; prints "req/s p50 p99 errors n".
# Each run's first WARMUP_S (2) s are not counted (bench/poll-bench.java).
poll() {
    PACE_MS=0 "$JAVA" -cp "$SCRATCH/poll-bench" PollBench "$API/v1/batches/$1" "$KEY" "$POLLERS" "$2" ${3:+"$3"}
}
# poll_as_set: as poll, paced by PACE_MS when set (the batch run's pollers)
poll_as_set() {
    PACE_MS=$PACE_MS "$JAVA" -cp "$SCRATCH/poll-bench" PollBench "$API/v1/batches/$1" "$KEY" "$POLLERS" "$2" ${3:+"$3"}
}
PACED_LABEL=$([[ $PACE_MS -gt 0 ]] && echo ", each poller pacing ${PACE_MS} ms" || true)

# query <sql>: psql_q, retried for a while: the machine's PostgreSQL is shared and may be out of connections.
query() {
    local try
    for try in $(seq 30); do psql_q "$1" 2>/dev/null && return; sleep 1; done
    psql_q "$1"
}
counts() { curl_json "$API/v1/batches/$1" -H "Authorization: Bearer $KEY" | jq -c .request_counts; }
sim_requests() { curl_json "$SIM/__stats" | jq .totals.requests; }
in_logs() { cat "$SCRATCH"/run/logs/*.log | grep -c -- "$1" || true; }

# A stack that has run: a deployment meets a large batch with its JVMs' hot paths compiled, where a fresh stack spent
# a fifth of both cores in the JIT's compiler threads in a minute's profile of its first 100,000 jobs
# (docs/benchmarks.md).
WARM_DESC="a fresh stack"
if ((WARM_LINES > 0)); then
    WARM_MODEL=openai/gpt-4.1-mini
    log "warm-up: a $WARM_LINES-line batch on $WARM_MODEL, not measured"
    warm_t0=$(now)
    WARM=$(batch "$WARM_LINES" "$WARM_MODEL")
    read -r warm_status warm_s < <(await_batch "$WARM" 3600 "$warm_t0")
    [[ $warm_status == completed ]] || die "the warm-up batch $WARM ended $warm_status"
    WARM_DESC="after a $WARM_LINES-line warm-up batch ($(printf %.0f "$warm_s") s)"
fi

log "reference 1: the simulator's own throughput (20000 chat requests, 64 clients, after a warm-up)"
read -r sim_line < <("$JAVA" -cp "$SCRATCH/upstream-simulator/target/upstream-simulator.jar" \
    dev.sluice.simulator.bench.Throughput "$SIM" 20000 64)
sim_rps=$(sed -n 's/.*throughput=\([0-9]*\) req.*/\1/p' <<<"$sim_line")

PAUSED=openai/gpt-4o RUNNING=openai/gpt-4o-mini
curl_json -X POST "$API/admin/pause" -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' \
    -d "{\"model\":\"$PAUSED\"}" >/dev/null
SMALL=$(batch 10 "$PAUSED")
log "reference 2: $POLLERS pollers for $DURATION s on the 10-job batch $SMALL (paused model): $(counts "$SMALL")"
poll "$SMALL" 5 >/dev/null   # warm-up (JIT, connections), not counted: the reference must not measure a cold api
# CPU-seconds the whole machine has been busy (every process, other users' too).
ref_cpu_before="$(cpu_seconds "$(stack_pid api)") $(cpu_seconds $(pg_backends)) $(machine_busy)"
read -r small_rps small_p50 small_p99 small_err small_n < <(poll "$SMALL" "$DURATION")
ref_cpu=$(paste -d' ' <(tr ' ' '\n' <<<"$ref_cpu_before") \
    <(printf '%s\n' "$(cpu_seconds "$(stack_pid api)")" "$(cpu_seconds $(pg_backends))" "$(machine_busy)") |
    awk '{ printf "%.1f ", $2 - $1 }')
read -r ref_api ref_pg ref_all <<<"$ref_cpu"
if [[ $PACE_MS -gt 0 ]]; then
    read -r paced_rps paced_p50 paced_p99 paced_err paced_n < <(poll_as_set "$SMALL" "$DURATION")
fi
ref_cpu_line="CPU during the reference  api $ref_api s, postgres backends $ref_pg s, the whole machine $ref_all s (pollers, \
other users) of $DURATION s x $(nproc) cores; $(printf %.2f "$(calc "$ref_api * 1000 / $small_n")") ms of api CPU per poll"
row() { printf '%-44s %12s %10s %10s %8s\n' "$@"; }
if [[ $LINES == 0 ]]; then
    echo "GET /v1/batches/{id}, $POLLERS pollers for $DURATION s ($JARS_DESC, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
    echo
    row "GET /v1/batches/{id}" "req/s" "p50 ms" "p99 ms" "errors"
    row "10 jobs, paused model, nothing running (ref.)" "$small_rps" "$small_p50" "$small_p99" "$small_err"
    [[ $PACE_MS -gt 0 ]] && row "the same, paced ${PACE_MS} ms" "$paced_rps" "$paced_p50" "$paced_p99" "$paced_err"
    row "target" "" "" "<= 50" "0"
    echo
    echo "$ref_cpu_line (back to back)"
    exit 0
fi

log "writing the $LINES-line batch body ..."
batch_body "$LINES" "$RUNNING"
PROCS=(api $(seq -f 'worker-%g' 1 "$WORKERS") simulator)
cpu_all() { for p in "${PROCS[@]}"; do cpu_seconds "$(stack_pid "$p")"; echo; done; cpu_seconds $(pg_backends 2>/dev/null || true); echo; }
cpu_before=$(cpu_all)
sim_before=$(sim_requests)
log "submitting it; $POLLERS pollers poll it until it is completed"
t0=$(now)
LARGE=$(curl -fsS -m 600 -X POST "$API/v1/batches" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    --data-binary "@$SCRATCH/data/body.json" | jq -r .id)
accepted=$(calc "$(now) - $t0")
STOP=$SCRATCH/data/stop
poll_as_set "$LARGE" 3600 "$STOP" >"$SCRATCH/data/large-poll" &
POLLER=$!
read -r large_status waited < <(await_batch "$LARGE" 3600 "$t0")
touch "$STOP"
wait "$POLLER"
read -r large_rps large_p50 large_p99 large_err large_n <"$SCRATCH/data/large-poll"
log "batch $LARGE: $large_status after $waited s, $(counts "$LARGE")"

end_to_end=$(calc "$LINES / $waited")
read -r table_s first_claim last_finish < <(query "SELECT extract(epoch FROM max(completed_at) - min(started_at)),
    extract(epoch FROM min(started_at)) - $t0, extract(epoch FROM max(completed_at)) - $t0
    FROM jobs WHERE batch_id = '$LARGE'" | tr '|' ' ')
in_table=$(calc "$LINES / $table_s")
rescued=$(query "SELECT count(*) FROM jobs WHERE batch_id = '$LARGE' AND rescued_at IS NOT NULL")
attempts=$(query "SELECT sum(attempts) FROM jobs WHERE batch_id = '$LARGE'")
no_connection=$(in_logs 'Failed to obtain JDBC Connection')
rescue_logs=$(in_logs "whose worker's lease lapsed")
sim_after=$(sim_requests)

echo "instant provider, $LINES lines, $WORKERS workers, $POLLERS pollers, $WARM_DESC ($JARS_DESC, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo
row "throughput" "jobs/s" "" "" ""
row "the simulator alone (64 clients, reference)" "$sim_rps" "" "" ""
row "batch, POST to $large_status (end to end)" "$(printf %.0f "$end_to_end")" "" "" ""
row "batch, first claim to last finish" "$(printf %.0f "$in_table")" "" "" ""
row "target (end to end, 2 cores)" ">= 1000" "" "" ""
echo
row "GET /v1/batches/{id}" "req/s" "p50 ms" "p99 ms" "errors"
row "10 jobs, paused model, nothing running (ref.)" "$small_rps" "$small_p50" "$small_p99" "$small_err"
[[ $PACE_MS -gt 0 ]] && row "the same, paced ${PACE_MS} ms (ref.)" "$paced_rps" "$paced_p50" "$paced_p99" "$paced_err"
row "$LINES jobs while they run$PACED_LABEL ($large_n polls)" "$large_rps" "$large_p50" "$large_p99" "$large_err"
row "target" "" "" "<= 50" "0"
echo
echo "$ref_cpu_line (back to back)"
echo "accept (POST -> 200)      $(printf %.2f "$accepted") s; first claim +$(printf %.2f "$first_claim") s; last job finished +$(printf %.2f "$last_finish") s; \
completed (its event stream's last event) +$(printf %.2f "$waited") s"
echo "provider calls            $((sim_after - sim_before)) for $LINES jobs ($attempts attempts recorded)"
echo "connection failures       $no_connection \"Failed to obtain JDBC Connection\" in the logs (target 0)"
echo "lease rescues             $rescue_logs rescue log line(s), $rescued job(s) with rescued_at (target 0)"
cpu_used=$(paste -d' ' <(echo "$cpu_before") <(cpu_all) | awk '{ printf "%.0f\n", $2 - $1 }')
echo "CPU during the batch      $(paste -d' ' <(printf '%s\n' "${PROCS[@]}" 'postgres backends') <(echo "$cpu_used") \
    | awk '{ $NF = $NF " s"; print }' | paste -sd, | sed 's/,/, /g') (of $(printf %.0f "$waited") s x $(nproc) cores)"
