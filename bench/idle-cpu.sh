#!/usr/bin/env bash
# What an idle worker costs once it knows many models (issue 16: <= 1% of a core with the provider's 58 models).
#
# Starts a stack (simulator, api, one worker) on a database and vhost of its own, then measures two windows of
# WINDOW (60) s each on the same processes, reading their CPU time (user + system) from /proc:
#
#   1. reference: the worker before any job, knowing no model;
#   2. the same worker idle after one job on each of the provider's 58 models (a 58-line batch, answered at once),
#      SETTLE (10) s after the batch completed, so it knows every model and holds whatever it keeps per model
#      (a dispatcher is released only after sluice.intake.idle-release, 5 min by default: the window falls before).
#
# Both fall in the worker's first minutes, while the JIT still compiles the code its loops made hot. With STEADY_AGE
# (300 s; 0 leaves them out) two more windows measure it later, when an idle worker in production has long been idle:
#
#   3. the same worker, still knowing the 58 models, once it is STEADY_AGE s old;
#   4. its reference: the worker restarted (a fresh process that holds nothing for any model; the models table keeps
#      the 58 rows) and measured at the same age.
#
# Beside the worker, each window shows the api and the simulator (idle JVMs in the same window: the machine's
# noise floor), the transactions the stack committed in PostgreSQL, and the broker's consumers and channels on
# the stack's vhost. Exit 1 when the worker's share in window 2 is above TARGET_PERCENT (1).
#
#   bench/idle-cpu.sh
#   WINDOW=30 SETTLE=5 bench/idle-cpu.sh
#   SLUICE_INTAKE_IDLE_RELEASE=20s bench/idle-cpu.sh     # the worker after it released its idle dispatchers
#   STEADY_AGE=0 bench/idle-cpu.sh                       # only the first two windows (about 3 minutes)
#
# Ports API_PORT 28080, SIMULATOR_PORT 23010, worker on 28081. Progress on stderr, the table on stdout.
set -euo pipefail

NAME=idle-cpu
WINDOW=${WINDOW:-60}
SETTLE=${SETTLE:-10}
STEADY_AGE=${STEADY_AGE:-300}
TARGET_PERCENT=${TARGET_PERCENT:-1}
WORKERS=1
API_PORT=${API_PORT:-28080}
SIMULATOR_PORT=${SIMULATOR_PORT:-23010}
WORKER_BASE_PORT=${WORKER_BASE_PORT:-28080}
source "$(dirname "${BASH_SOURCE[0]}")/stack-lib.sh"

unset SIMULATOR_FAILURE_RATE SIMULATOR_RESET_RATE SIMULATOR_HANG_RATE SIMULATOR_TRUNCATE_RATE SIMULATOR_RETRY_AFTER
export SIMULATOR_LIMIT=1000000/1s SIMULATOR_LATENCY_MS=0 SIMULATOR_JITTER_MS=0 SLUICE_DEFAULT_LIMIT=1000000/1s
log "starting simulator :$SIMULATOR_PORT (instant), api :$API_PORT, 1 worker"
stack_start
WORKER_STARTED=$(now)

committed() { psql_q "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"; }
consumers() { rabbitmqctl -q list_queues -p "$VHOST" consumers 2>/dev/null | awk '$1 ~ /^[0-9]+$/ { n += $1 } END { print n + 0 }'; }
channels() { rabbitmqctl -q list_channels -p "$VHOST" name 2>/dev/null | grep -c . || true; }
threads() { awk '/^Threads/ { print $2 }' "/proc/$(stack_pid "$1")/status"; }
percent() { awk -v a="$1" -v b="$2" -v w="$WINDOW" 'BEGIN { printf "%.2f", 100 * (b - a) / w }'; }

# age_until <seconds>: waits until the worker started at WORKER_STARTED is that old.
age_until() {
    local left; left=$(calc "$1 - ($(now) - $WORKER_STARTED)")
    if (($(calc "$left > 0"))); then sleep "$left"; fi
}

# window <label>: CPU of worker, api and simulator over WINDOW s; prints one row of the table.
window() {
    local label=$1 worker api sim w0 a0 s0 c0 q0 c1
    worker=$(stack_pid worker-1) api=$(stack_pid api) sim=$(stack_pid simulator)
    q0=$(consumers)
    c0=$(committed); w0=$(cpu_seconds "$worker"); a0=$(cpu_seconds "$api"); s0=$(cpu_seconds "$sim")
    sleep "$WINDOW"
    local w1 a1 s1
    w1=$(cpu_seconds "$worker"); a1=$(cpu_seconds "$api"); s1=$(cpu_seconds "$sim"); c1=$(committed)
    printf '%-34s %9s %%  %9s %%  %9s %%  %8s  %9s  %8s  %7s\n' "$label" "$(percent "$w0" "$w1")" \
        "$(percent "$a0" "$a1")" "$(percent "$s0" "$s1")" "$(awk -v a="$c0" -v b="$c1" -v w="$WINDOW" 'BEGIN { printf "%.1f", (b - a) / w }')" "$q0/$(consumers)" \
        "$(channels)" "$(threads worker-1)"
    LAST_WORKER_PERCENT=$(percent "$w0" "$w1")
}

MODELS=$(curl_json "$SIM/v1/models" -H 'Authorization: Bearer sk-local' | jq -r '.data[].id')
MODEL_COUNT=$(grep -c . <<<"$MODELS")
log "settling $SETTLE s, then window 1 ($WINDOW s): the worker knowing no model"
sleep "$SETTLE"
{
    echo "idle CPU, $WINDOW s windows, $(date -u +%FT%RZ), jars $JARS_DESC, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    printf '%-34s %11s  %11s  %11s  %8s  %9s  %8s  %7s\n' window worker api simulator 'pg tx/s' consumers channels threads
} >"$SCRATCH/table"
window "worker knowing no model" >>"$SCRATCH/table"
REFERENCE=$LAST_WORKER_PERCENT

log "one job on each of the $MODEL_COUNT models the provider lists (one batch) ..."
jq -Rn '{endpoint: "/v1/chat/completions", completion_window: "24h",
         requests: [inputs | select(length > 0) | {custom_id: ., method: "POST", url: "/v1/chat/completions",
                    body: {model: ., messages: [{role: "user", content: "hello"}]}}]}' <<<"$MODELS" >"$SCRATCH/data/batch.json"
BATCH=$(curl_json -X POST "$API/v1/batches" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    --data-binary "@$SCRATCH/data/batch.json" | jq -r .id)
read -r status waited < <(await_batch "$BATCH" 120 "$(now)")
[[ $status == completed ]] || die "batch $BATCH ended $status after $waited s"
known=$(psql_q "SELECT count(*) FROM models")
log "batch $BATCH completed in $waited s; the models table holds $known model(s); settling $SETTLE s, then window 2"
sleep "$SETTLE"
window "worker idle, $known models known" >>"$SCRATCH/table"
SECOND_WINDOW=$LAST_WORKER_PERCENT

if ((STEADY_AGE > 0)); then
    log "waiting until the worker is $STEADY_AGE s old, then window 3 (the same worker, $known models known)"
    age_until "$STEADY_AGE"
    window "same, steady (worker ${STEADY_AGE} s old)" >>"$SCRATCH/table"
    STEADY=$LAST_WORKER_PERCENT
    log "restarting the worker (a fresh process that holds nothing for any model), window 4 at the same age"
    old=$(stack_pid worker-1)
    kill "$old"
    while kill -0 "$old" 2>/dev/null; do sleep 0.2; done
    "$SCRATCH/bin/sluice-local" start >&2
    WORKER_STARTED=$(now)
    age_until "$STEADY_AGE"
    window "fresh worker, no model, steady" >>"$SCRATCH/table"
    STEADY_REFERENCE=$LAST_WORKER_PERCENT
    LAST_WORKER_PERCENT=$SECOND_WINDOW
fi

cat "$SCRATCH/table"
echo "worker CPU share of one core, user + system from /proc/<pid>/stat; consumers on the vhost's queues at the"
echo "window's start/end; channels on the vhost; threads of the worker process (platform threads)"
echo "target: worker idle with $MODEL_COUNT models known <= $TARGET_PERCENT % of a core"
echo "first minutes: $SECOND_WINDOW % (reference, the same worker knowing no model before the batch: $REFERENCE %)"
if ((STEADY_AGE > 0)); then
    echo "steady, worker $STEADY_AGE s old: $STEADY % (reference, a fresh worker holding no model at the same age: $STEADY_REFERENCE %)"
    if (($(calc "$STEADY > $TARGET_PERCENT"))); then steady_result="NOT MET"; else steady_result=met; fi
    echo "result, steady: $steady_result ($STEADY %)"
fi
if (($(calc "$LAST_WORKER_PERCENT > $TARGET_PERCENT"))); then
    echo "result, first minutes: NOT MET ($LAST_WORKER_PERCENT %)"
    exit 1
fi
echo "result, first minutes: met ($LAST_WORKER_PERCENT %)"
