#!/usr/bin/env bash
# Fair share between tenants on one contended model, against first-come-first-served measured in the same run.
#
#   bench/fairness.sh                      # LIMIT=15/6s, A=240, B=30, DELAY=3, WORKERS=2
#   WORKERS=1 A=120 B=15 bench/fairness.sh
#
# Two rows on a model limited to N per W (at the simulator and in Sluice), seed latency (800 ms + 0..300 ms):
#
#   fair share - tenant A submits A jobs; DELAY s later tenant B (another tenant, weight 1) submits B jobs;
#   one lane   - the same, but both batches come from tenant A: B's jobs queue behind A's in A's own lane,
#                which is what first-come-first-served across tenants did before lanes (the reference).
#
# For each row it prints B's time from its POST until its batch reads `completed`, A's time, the simulator's
# 429s and its max requests in any window, and how the sends split between A and B in each W after B's POST. Ideals: with fair share B gets N/2 per W while both wait,
#   fair ideal = ceil(B / (N/2)) * W                    (30 jobs at 15/6s: 24 s)
#   FCFS ideal = ceil((A + B) / N) * W - DELAY          (240 + 30 at 15/6s, 3 s later: 105 s)
# each plus about one latency. Own database and vhost (sluice_fairness, sluice-fairness), dropped at the end.
set -euo pipefail

NAME=fairness
LIMIT=${LIMIT:-15/6s}
A=${A:-240}
B=${B:-30}
DELAY=${DELAY:-3}
WORKERS=${WORKERS:-2}
API_PORT=${API_PORT:-38280}
SIMULATOR_PORT=${SIMULATOR_PORT:-33210}
WORKER_BASE_PORT=${WORKER_BASE_PORT:-38280}
MODEL=openai/gpt-4o-mini
source "$(dirname "${BASH_SOURCE[0]}")/stack-lib.sh"

[[ $LIMIT =~ ^([0-9]+)/([0-9]+)s$ ]] || die "LIMIT must be N/Ws"
N=${BASH_REMATCH[1]}
W=${BASH_REMATCH[2]}

export SIMULATOR_LIMIT=$LIMIT SIMULATOR_LATENCY_MS=800 SIMULATOR_JITTER_MS=300 SLUICE_DEFAULT_LIMIT=$LIMIT
stack_start
KEY_B=$(curl_json -X POST "$API/admin/api-keys" -H "Authorization: Bearer $ADMIN_KEY" \
    -H 'Content-Type: application/json' -d '{"name":"tenant-b"}' | jq -r .key)
[[ -n $KEY_B && $KEY_B != null ]] || die "could not create tenant B's key"

batch_json() {   # batch_json <count> <tag>
    jq -cn --argjson n "$1" --arg tag "$2" --arg model "$MODEL" '{
        endpoint: "/v1/chat/completions",
        requests: [range($n) | {custom_id: "\($tag)-\(.)",
                                body: {model: $model, messages: [{role: "user", content: "\($tag) \(.)"}]}}]}'
}
submit() {   # submit <key> <count> <tag> -> batch id
    batch_json "$2" "$3" | curl_json -X POST "$API/v1/batches" -H "Authorization: Bearer $1" \
        -H 'Content-Type: application/json' --data-binary @- | jq -r .id
}
wait_done() {   # wait_done <key> <id> <t0> -> seconds from t0 to completed
    local status
    while :; do
        status=$(curl_json "$API/v1/batches/$2" -H "Authorization: Bearer $1" | jq -r .status) || status=unreadable
        case $status in completed) break ;; failed | expired | cancelled) die "batch $2 ended $status" ;; esac
        (($(calc "$(now) - $3 > 600"))) && die "batch $2 did not finish within 600 s"
        sleep 0.2
    done
    calc "$(now) - $3"
}

run_row() {   # run_row <label> <key of B's submitter>
    local label=$1 key_b=$2
    curl_json -X POST "$SIM/__reset" >/dev/null
    sleep $((W + 1))   # the provider's window and Sluice's pacer start empty
    local t_a t_b id_a id_b pid_b out_b took_a took_b stats
    t_a=$(now)
    id_a=$(submit "$KEY" "$A" a)
    sleep "$DELAY"
    t_b=$(now)
    id_b=$(submit "$key_b" "$B" b)
    took_b=$(wait_done "$key_b" "$id_b" "$t_b")
    took_a=$(wait_done "$KEY" "$id_a" "$t_a")
    stats=$(curl_json "$SIM/__stats")
    # Sends (jobs started) in each W after B's POST, A's/B's, while B had work: its share in each window.
    split=$(psql_q "SELECT string_agg(a || '/' || b, ' ' ORDER BY w) FROM (
        SELECT floor(extract(epoch FROM started_at - to_timestamp($t_b)) / $W) AS w,
               count(*) FILTER (WHERE batch_id = '$id_a') AS a, count(*) FILTER (WHERE batch_id = '$id_b') AS b
          FROM jobs WHERE batch_id IN ('$id_a', '$id_b') AND started_at >= to_timestamp($t_b)
           AND started_at <= (SELECT max(started_at) FROM jobs WHERE batch_id = '$id_b')
         GROUP BY 1) s")
    printf '%-11s %8.1f s %8.1f s %8s %8s   %s\n' "$label" "$took_b" "$took_a" \
        "$(jq -r '.totals.rate_limited' <<<"$stats")" \
        "$(jq -r --arg m "$MODEL" '.models[$m].max_in_any_window // 0' <<<"$stats")" "$split"
}

FAIR_IDEAL=$(calc "int(($B + $N / 2 - 1) / ($N / 2)) * $W")
FCFS_IDEAL=$(calc "int(($A + $B + $N - 1) / $N) * $W - $DELAY")
echo "fairness: $LIMIT, A=$A jobs, B=$B jobs ${DELAY}s later, $WORKERS worker(s), $JARS_DESC"
printf '%-11s %10s %10s %8s %8s   %s\n' row "B done" "A done" 429s max/W "sends A/B per ${W}s after B's POST, until B's last"
run_row "fair share" "$KEY_B"
run_row "one lane" "$KEY"
printf 'ideals: B with fair share %s s, B first-come-first-served %s s (each + ~1 s latency)\n' "$FAIR_IDEAL" "$FCFS_IDEAL"
