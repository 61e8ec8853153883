#!/usr/bin/env bash
# The first facade calls after a start, each beside the same call made straight to the provider in the same run:
# what a freshly deployed Sluice adds to its first requests (cold JVMs, connections, tokenizers) and how soon that
# settles. One whole stack (simulator, api, WORKERS (1) worker) from this tree's jars is started; as soon as it is
# ready, CALLS (3) chat calls one after another go to one model of each OpenAI tokenizer family (openai/gpt-4o-mini,
# o200k_base; then openai/gpt-3.5-turbo, cl100k_base), each first straight to the simulator, then through
# POST /v1/chat/completions. Times are curl's time_total, from the request's start to the answer's last byte.
#
#   bench/first-call.sh
#   WORKERS=2 CALLS=5 bench/first-call.sh
#
# The simulator answers after 50 ms (no jitter), with a limit far above the load, and Sluice's default limit
# matches. Loopback only; its own database (sluice_first_call) and vhost (sluice-first-call), dropped at the end;
# ports API_PORT 29580, SIMULATOR_PORT 29510, WORKER_BASE_PORT 29580 (workers on 29581..).
set -euo pipefail

NAME=first-call
WORKERS=${WORKERS:-1}
CALLS=${CALLS:-3}
API_PORT=${API_PORT:-29580}
SIMULATOR_PORT=${SIMULATOR_PORT:-29510}
WORKER_BASE_PORT=${WORKER_BASE_PORT:-29580}
source "$(dirname "${BASH_SOURCE[0]}")/stack-lib.sh"

unset SIMULATOR_FAILURE_RATE SIMULATOR_RESET_RATE SIMULATOR_HANG_RATE SIMULATOR_TRUNCATE_RATE SIMULATOR_RETRY_AFTER
export SIMULATOR_LIMIT=100000/1s SIMULATOR_LATENCY_MS=50 SIMULATOR_JITTER_MS=0 SLUICE_DEFAULT_LIMIT=100000/1s
log "starting simulator :$SIMULATOR_PORT, api :$API_PORT, $WORKERS worker(s)"
stack_start

# call <base url> <bearer> <model>: one chat call; prints its time_total in ms, or fails on an error status.
call() {
    local body="{\"model\":\"$3\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello, first-call bench.\"}]}"
    curl -fsS -m 60 -o /dev/null -w '%{time_total}\n' -X POST "$1/v1/chat/completions" \
        -H "Authorization: Bearer $2" -H 'Content-Type: application/json' -d "$body" |
        awk '{ printf "%.1f", $1 * 1000 }'
}

echo "first calls after a start ($JARS_DESC, $WORKERS worker(s), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo
printf '%-22s %6s %12s %16s %10s\n' model call "direct ms" "through Sluice" "added ms"
for model in openai/gpt-4o-mini openai/gpt-3.5-turbo; do
    for i in $(seq "$CALLS"); do
        direct=$(call "$SIM" sk-first-call "$model")
        sluice=$(call "$API" "$KEY" "$model")
        printf '%-22s %6s %12s %16s %10s\n' "$model" "$i" "$direct" "$sluice" "$(calc "$sluice - $direct")"
    done
done

echo
echo "each call's job, in ms from its created_at (the api's insert): published (the broker confirmed its message), claimed"
echo "(started_at), finished (completed_at)"
psql_q "SELECT model, round(extract(epoch FROM published_at - created_at) * 1000, 1),
               round(extract(epoch FROM started_at - created_at) * 1000, 1),
               round(extract(epoch FROM completed_at - created_at) * 1000, 1)
          FROM jobs ORDER BY created_at" |
    awk -F'|' 'BEGIN { printf "%-22s %10s %10s %10s\n", "model", "published", "claimed", "finished" }
               { printf "%-22s %10s %10s %10s\n", $1, $2, $3, $4 }'
