#!/usr/bin/env bash
# 429s from a cold start: a whole stack (simulator, api, WORKERS (2) workers) started from nothing, and at once, with
# no warm-up of any kind, one batch of 300 lines over five models (60 each, lines alternating) at the simulator's and
# Sluice's 15 per 6 s, the seed latency (800 ms + 0..300 ms). RUNS (3) such starts, each with its own fresh stack,
# database and vhost. Per start it prints the provider's view (429s it answered, the most requests it admitted in any
# 6 s window of one model: at most 15 means the limit held) and the batch's wall (from the POST until a poll every
# 100 ms sees it completed), its first call (batches.created_at to the provider's first arrival) with the first message
# confirmed on its queue and the first job claimed before it (from the same created_at), how many of its jobs met a
# 429 (rate_limit_events), and how many models' margins a 429 widened.
#
#   bench/cold-start.sh
#   RUNS=5 bench/cold-start.sh
#   SIMULATOR_WARMUP_REQUESTS=0 bench/cold-start.sh   the simulator started cold too (upstream-simulator/README.md)
#
# Loopback only; its own database (sluice_cold_start) and vhost (sluice-cold-start), dropped after each start; ports
# API_PORT 29780, SIMULATOR_PORT 29710, WORKER_BASE_PORT 29780 (workers on 29781..). Exit status 1 if any start met a
# 429 or lost a request.
set -euo pipefail

RUNS=${RUNS:-3}
if [[ ${COLD_START_ONE:-} != 1 ]]; then
    [[ $RUNS =~ ^[1-9][0-9]?$ ]] || { echo "cold-start: RUNS must be 1..99" >&2; exit 2; }
    echo "cold starts: ${WORKERS:-2} worker(s), 300 lines over five models at once, 15 per 6 s (simulator and Sluice)," \
        "simulator warm-up ${SIMULATOR_WARMUP_REQUESTS:-300} requests; $(nproc) cores"
    echo
    printf '%-4s %-9s %-24s %10s %12s %22s %10s %10s %s\n' run status "provider 429s / max 6 s" wall "first call" \
        "published / claimed" "Sluice 429s" "margin" "jars"
    failed=0
    for run in $(seq "$RUNS"); do
        line=$(COLD_START_ONE=1 "$0") || failed=1
        printf '%-4s %s\n' "$run" "$line"
    done
    exit "$failed"
fi

NAME=cold-start
WORKERS=${WORKERS:-2}
API_PORT=${API_PORT:-29780}
SIMULATOR_PORT=${SIMULATOR_PORT:-29710}
WORKER_BASE_PORT=${WORKER_BASE_PORT:-29780}
source "$(dirname "${BASH_SOURCE[0]}")/stack-lib.sh"

unset SIMULATOR_FAILURE_RATE SIMULATOR_RESET_RATE SIMULATOR_HANG_RATE SIMULATOR_TRUNCATE_RATE SIMULATOR_RETRY_AFTER
export SIMULATOR_LIMIT=15/6s SIMULATOR_LATENCY_MS=800 SIMULATOR_JITTER_MS=300 SLUICE_DEFAULT_LIMIT=15/6s
MODELS=(openai/gpt-4o-mini anthropic/claude-3-5-haiku meta-llama/llama-3.1-8b-instruct google/gemini-2.0-flash-001
    mistralai/mistral-nemo)
jq -n --argjson models "$(printf '%s\n' "${MODELS[@]}" | jq -R . | jq -s .)" '{
  endpoint: "/v1/chat/completions", completion_window: "24h", metadata: {bench: "cold-start"},
  requests: [range(60) as $i | $models[] as $m | {
    custom_id: "\($m)-\($i)", method: "POST", url: "/v1/chat/completions",
    body: {model: $m, messages: [{role: "user", content: "Question \($i)"}]}}]
}' >"$SCRATCH/batch.json"

log "starting simulator :$SIMULATOR_PORT, api :$API_PORT, $WORKERS worker(s)"
stack_start

t0=$EPOCHREALTIME
id=$(curl_json -X POST "$API/v1/batches" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    --data-binary "@$SCRATCH/batch.json" | jq -r .id)
deadline=$(( ${t0%.*} + 120 ))
status=timeout
while (( ${EPOCHREALTIME%.*} < deadline )); do
    b=$(curl_json "$API/v1/batches/$id" -H "Authorization: Bearer $KEY")
    if [[ $b =~ \"status\":\"(completed|failed|expired|cancelled)\" ]]; then status=${BASH_REMATCH[1]}; break; fi
    sleep 0.1
done
wall=$(calc "$EPOCHREALTIME - $t0")
completed=$(jq -r .request_counts.completed <<<"$b")

stats=$(curl_json "$SIM/__stats")
provider_429=$(jq -r .totals.rate_limited <<<"$stats")
max_window=$(jq -r '[.models[].max_in_any_window] | max' <<<"$stats")
first_arrival=$(jq -r '[.models[].first_arrival_at // empty] | min' <<<"$stats")
first_call=$(psql_q "SELECT round(extract(epoch FROM timestamptz '$first_arrival' - created_at) * 1000)
                       FROM batches WHERE id = '$id'")
# Before the first call: the batch's first message confirmed on its queue, and its first job claimed by a worker.
read -r first_published first_claimed < <(psql_q "SELECT round(extract(epoch FROM min(j.published_at) - b.created_at) * 1000),
        round(extract(epoch FROM min(j.started_at) - b.created_at) * 1000)
        FROM jobs j JOIN batches b ON b.id = j.batch_id WHERE b.id = '$id' GROUP BY b.created_at" | tr '|' ' ')
sluice_429=$(psql_q "SELECT count(*) FROM rate_limit_events")
widened=$(psql_q "SELECT count(*) FROM models WHERE margin_ms IS NOT NULL")

printf '%-9s %-24s %10s %12s %22s %10s %10s %s\n' "$status" "$provider_429 / $max_window" "$(printf '%.2f s' "$wall")" \
    "$first_call ms" "+$first_published / +$first_claimed ms" "$sluice_429" "$widened widened" "$JARS_DESC"
[[ $status == completed && $completed == 300 && $provider_429 == 0 ]]
