#!/usr/bin/env bash
# Token budgets: tokens per second against the provider's budget, 429s, and the estimator's error per model.
#
#   bench/tokens.sh                           # R=60 per model, 1000 requests and 3000 tokens per 6 s, 2 workers
#   R=120 TPM=6000 WORKERS=1 bench/tokens.sh
#
# The simulator enforces, per key and model, R_LIMIT requests and TPM tokens per TPM_WINDOW (it charges each request
# its prompt plus max_tokens on arrival and corrects to the answer's usage, as OpenAI does; it counts a prompt's
# words as its tokens). Sluice is given the same two limits (PUT /admin/limits). Each model gets R chat requests of
# PROMPT_WORDS words with max_tokens MAX_TOKENS, in one batch, all models at once:
#
#   - openai/gpt-4o-mini: estimated by jtokkit (o200k_base), whose count of these words differs from the
#     simulator's word count, so the ratio learned from usage.prompt_tokens has something to correct;
#   - anthropic/claude-3-5-haiku: no tokenizer fits, estimated by the fallback.
#
# Per model it prints: wall time beside the reference — a perfect client that knows each request's tokens fits
# floor(TPM / tokens per request) requests in a window, so R requests take floor((R - 1) / k) windows after its first
# burst — the tokens the provider counted and tokens/s beside that client's, the provider's 429s and the most tokens
# it saw in any window, and the estimator's error: its raw estimate over the prompt tokens the provider counted, the
# per-model ratio learned from usage.prompt_tokens, and their product (the estimate as finally reserved; 1 is exact).
# Loopback only; its own database and vhost, dropped at the end.
set -euo pipefail

NAME=tokens
R=${R:-60}
WORKERS=${WORKERS:-2}
R_LIMIT=${R_LIMIT:-1000}
TPM=${TPM:-3000}
TPM_WINDOW=${TPM_WINDOW:-6}
PROMPT_WORDS=${PROMPT_WORDS:-200}
MAX_TOKENS=${MAX_TOKENS:-40}
MODELS=(openai/gpt-4o-mini anthropic/claude-3-5-haiku)
API_PORT=${API_PORT:-38280}
SIMULATOR_PORT=${SIMULATOR_PORT:-33210}
WORKER_BASE_PORT=${WORKER_BASE_PORT:-38280}
source "$(dirname "${BASH_SOURCE[0]}")/stack-lib.sh"

unset SIMULATOR_FAILURE_RATE SIMULATOR_RESET_RATE SIMULATOR_HANG_RATE SIMULATOR_TRUNCATE_RATE
export SIMULATOR_WINDOW=sliding SIMULATOR_LATENCY_MS=${LATENCY_MS:-50} SIMULATOR_JITTER_MS=${JITTER_MS:-50} \
    SIMULATOR_LIMIT=$R_LIMIT/${TPM_WINDOW}s SIMULATOR_TPM=$TPM SIMULATOR_TPM_WINDOW=${TPM_WINDOW}s SIMULATOR_RETRY_AFTER=true
log "starting simulator :$SIMULATOR_PORT (${R_LIMIT}/${TPM_WINDOW}s, $TPM tokens/${TPM_WINDOW}s), api :$API_PORT, $WORKERS worker(s)"
stack_start
admin() { curl_json -X "$1" "$API$2" -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' -d "$3"; }

for model in "${MODELS[@]}"; do
    admin PUT /admin/limits "{\"model\":\"$model\",\"limits\":[{\"requests\":$R_LIMIT,\"per_seconds\":$TPM_WINDOW},
        {\"tokens\":$TPM,\"per_seconds\":$TPM_WINDOW}]}" >/dev/null
done
sleep 2   # workers re-read limits every second
curl_json -X POST "$SIM/__reset" >/dev/null

prompt=$(for i in $(seq 1 "$PROMPT_WORDS"); do printf 'word%d ' $((i % 50)); done)
declare -A BATCH=() T0=()
n=0
for model in "${MODELS[@]}"; do
    n=$((n + 1))
    jq -n --arg m "$model" --arg p "$prompt" --argjson r "$R" --argjson mt "$MAX_TOKENS" '{endpoint: "/v1/chat/completions",
        requests: [range($r) as $i | {custom_id: "t-\($i)",
            body: {model: $m, max_tokens: $mt, messages: [{role: "user", content: "\($i) \($p)"}]}}]}' \
        >"$SCRATCH/data/$n.json"
    T0[$model]=$(now)
    BATCH[$model]=$(curl_json -X POST "$API/v1/batches" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
        --data-binary "@$SCRATCH/data/$n.json" | jq -r .id)
done

rate=$(calc "$TPM / $TPM_WINDOW")
printf '\nbudget: %d requests and %d tokens per %d s per model (%s tokens/s sustained); %d requests of %d words, max_tokens %d, %d worker(s); %s\n\n' \
    "$R_LIMIT" "$TPM" "$TPM_WINDOW" "$rate" "$R" "$PROMPT_WORDS" "$MAX_TOKENS" "$WORKERS" "$JARS_DESC"
printf '%-28s %9s %7s %8s %8s %11s %11s %5s %12s %14s %8s %14s\n' model status wall_s ideal_s tokens tokens_per_s ideal_per_s \
    429s max_in_window 'raw est/count' ratio 'corrected/count'
bad=0
for model in "${MODELS[@]}"; do
    read -r status wall < <(await_batch "${BATCH[$model]}" 600 "${T0[$model]}")
    stats=$(curl_json "$SIM/__stats" | jq --arg m "$model" '.models[$m]')
    used=$(jq -r .tokens_used <<<"$stats")
    limited=$(jq -r .rate_limited <<<"$stats")
    peak=$(jq -r .max_tokens_in_any_window <<<"$stats")
    # The reference: a perfect client that knows each request's tokens fits floor(TPM / per-request) requests in a
    # window, so R requests take floor((R - 1) / k) windows after the first burst (plus one answer's latency).
    k=$(calc "int($TPM / ($used / $R))")
    ideal=$(calc "int(($R - 1) / $k) * $TPM_WINDOW + ($SIMULATOR_LATENCY_MS + $SIMULATOR_JITTER_MS / 2) / 1000")
    tps=$(calc "$used / $wall")
    ideal_tps=$(calc "$used / $ideal")
    # The estimator's error: its raw estimate against what the provider counted, and the estimate as the pacer
    # reserves it once the per-model ratio (learned from usage.prompt_tokens) corrects it.
    raw=$(psql_q "SELECT round(sum(prompt_tokens_estimate)::numeric / nullif(sum(prompt_tokens), 0), 3) FROM jobs
        WHERE batch_id = '${BATCH[$model]}' AND prompt_tokens IS NOT NULL")
    ratio=$(psql_q "SELECT round(prompt_token_ratio::numeric, 3) FROM models WHERE model = '$model'")
    corrected=$(calc "${raw:-0} * ${ratio:-1}")
    printf '%-28s %9s %7.1f %8.1f %8d %11.1f %11.1f %5d %12s %14s %8s %14.3f\n' "$model" "$status" "$wall" "$ideal" "$used" \
        "$tps" "$ideal_tps" "$limited" "$peak" "${raw:-?}" "${ratio:-none}" "$corrected"
    [[ $status == completed ]] || bad=1
done
exit $bad
