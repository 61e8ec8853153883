#!/usr/bin/env bash
# Pacing at high limits: thousands of requests per window on one model, shared by several workers.
#
#   bench/pacing-high-limits.sh                          # ROWS=1000/10s:3000,5000/10s:15000 WORKERS=2
#   ROWS=3000/60s:6000 LATENCY_MS=50 JITTER_MS=50 bench/pacing-high-limits.sh   # the rows of 2026-12-03
#   ROWS=500/5s:2000 WORKERS=3 bench/pacing-high-limits.sh
#   SLUICE_DATABASE_POOL_SIZE=40 bench/pacing-high-limits.sh                     # 34 jobs in flight per worker
#
# Each row "N/Ws:R" sends one batch of R requests on a model of its own (so every row starts with an empty
# pacer row) with the limit N per W both at the simulator (sliding window, PUT /__config) and in Sluice
# (PUT /admin/limits), latency LATENCY_MS + 0..JITTER_MS (5 + 5: low, so that what is measured is Sluice, not the
# provider's latency times the jobs in flight). The 5000/10s row is one model at 500 requests per second (30,000 per
# minute); the last lines of the report give each row's time against the ideal, its 429s and the share of the limit
# it reached. It prints per row: requests sent against
# the ideal, the simulator's max in any window and its 429s, the sends in each consecutive W (from the jobs'
# started_at), wall time against the ideal, and what the pacer row costs at that N:
#
#   - grant latency proxy: a probe session runs BEGIN; SELECT ... FROM pacer_budgets ... FOR UPDATE; COMMIT
#     every PROBE_MS (100) ms on the row's budget while the batch runs, and the time each takes (mostly the
#     wait behind the workers' grant transactions, which hold the same lock) is reported as p50 / p99 / max;
#   - the row's size (sent_us entries and bytes, largest seen by the probe), pacer_budgets row updates (and how
#     many were HOT) and its size on disk (total, heap and TOAST) after the row, PostgreSQL transactions and
#     backend CPU seconds;
#   - how long the first N sends took (jobs.started_at): the rate one model is sent at while its limit binds.
#
# ideal for R requests at N per W: floor((R-1)/N)*W + mean latency; Sluice's own best has W + margin
# (250 ms by default) in place of W, also printed. Loopback only; its own database
# (sluice_pacing_high) and vhost (sluice-pacing-high), dropped at the end.
set -euo pipefail

NAME=pacing-high
ROWS=${ROWS:-1000/10s:3000,5000/10s:15000}
WORKERS=${WORKERS:-2}
LATENCY_MS=${LATENCY_MS:-5}
JITTER_MS=${JITTER_MS:-5}
PROBE_MS=${PROBE_MS:-100}
API_PORT=${API_PORT:-38180}
SIMULATOR_PORT=${SIMULATOR_PORT:-33110}
WORKER_BASE_PORT=${WORKER_BASE_PORT:-38180}
ROW_MODELS=(openai/gpt-4.1 openai/gpt-4.1-mini openai/gpt-4.1-nano anthropic/claude-3-5-sonnet mistralai/mistral-nemo qwen/qwq-32b)
source "$(dirname "${BASH_SOURCE[0]}")/stack-lib.sh"

MARGIN_S=$(margin_seconds)
MEAN_L=$(calc "($LATENCY_MS + $JITTER_MS / 2) / 1000")

unset SIMULATOR_FAILURE_RATE SIMULATOR_RESET_RATE SIMULATOR_HANG_RATE SIMULATOR_TRUNCATE_RATE SIMULATOR_RETRY_AFTER
export SIMULATOR_WINDOW=sliding SIMULATOR_LATENCY_MS=$LATENCY_MS SIMULATOR_JITTER_MS=$JITTER_MS
log "starting simulator :$SIMULATOR_PORT, api :$API_PORT, $WORKERS worker(s)"
stack_start
admin() { curl_json -X "$1" "$API$2" -H "Authorization: Bearer $ADMIN_KEY" -H 'Content-Type: application/json' -d "$3"; }

# Warm-up: 200 requests on a model no row uses, at a limit that does not bind (JIT, connections, queues).
curl_json -X PUT "$SIM/__config" -H 'Content-Type: application/json' -d '{"limit":"none"}' >/dev/null
jq -n '{endpoint: "/v1/chat/completions", requests: [range(200) as $i | {custom_id: "w-\($i)",
    body: {model: "deepseek/deepseek-chat", messages: [{role: "user", content: "warm \($i)"}]}}]}' >"$SCRATCH/data/warm.json"
admin PUT /admin/limits '{"model":"deepseek/deepseek-chat","requests":100000,"per_seconds":1}' >/dev/null
t0=$(now)
wid=$(curl_json -X POST "$API/v1/batches" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    --data-binary "@$SCRATCH/data/warm.json" | jq -r .id)
read -r wstatus wwall < <(await_batch "$wid" 120 "$t0")
log "warm-up: $wstatus in $wwall s"

percentiles() {   # stdin: numbers; prints "p50 p99 max" (ms) and the count
    sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "- - - 0"; exit }
        i50 = int(0.5 * NR); if (i50 < 1) i50 = 1; i99 = int(0.99 * NR); if (i99 < 1) i99 = 1
        printf "%.1f %.1f %.1f %d\n", v[i50], v[i99], v[NR], NR }'
}

REPORT=()
SUMMARY=()
bad=0
IFS=, read -ra rows <<<"$ROWS"
for i in "${!rows[@]}"; do
    spec=${rows[$i]}
    [[ $spec =~ ^([0-9]+)/([0-9]+)s:([0-9]+)$ ]] || die "bad row '$spec' (N/Ws:R)"
    n=${BASH_REMATCH[1]} w=${BASH_REMATCH[2]} r=${BASH_REMATCH[3]}
    model=${ROW_MODELS[$i]}
    curl_json -X PUT "$SIM/__config" -H 'Content-Type: application/json' -d "{\"limit\":\"$n/${w}s\"}" >/dev/null
    admin PUT /admin/limits "{\"model\":\"$model\",\"requests\":$n,\"per_seconds\":$w}" >/dev/null
    sleep 2   # workers re-read limits every second
    jq -n --arg m "$model" --argjson r "$r" '{endpoint: "/v1/chat/completions", requests: [range($r) as $i |
        {custom_id: "r-\($i)", body: {model: $m, messages: [{role: "user", content: "Question \($i)"}]}}]}' >"$SCRATCH/data/row.json"
    ideal=$(calc "int(($r - 1) / $n) * $w + $MEAN_L")
    ideal_m=$(calc "int(($r - 1) / $n) * ($w + $MARGIN_S) + $MEAN_L")
    curl_json -X POST "$SIM/__reset" >/dev/null

    pgpids=$(pg_backends)
    cpu_pg0=$(cpu_seconds $pgpids)
    cpu_w0=$(cpu_seconds $(for k in $(seq 1 "$WORKERS"); do stack_pid "worker-$k"; done))
    xact0=$(psql_q "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
    upd0=$(psql_q "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'pacer_budgets'")
    hot0=$(psql_q "SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'pacer_budgets'")

    # The probe: one psql session, a timed lock of the row's budget every PROBE_MS, until killed.
    probe_sql=$SCRATCH/data/probe.sql
    { echo '\timing on'
      for _ in $(seq 1 $(( (w * 3 + 120) * 1000 / PROBE_MS ))); do
        echo "BEGIN; SELECT cardinality(sent_us), pg_column_size(sent_us) FROM pacer_budgets WHERE model = '$model' FOR UPDATE; COMMIT; SELECT pg_sleep($PROBE_MS / 1000.0);"
      done; } >"$probe_sql"
    psql -h localhost -U "$PGUSER" -d "$DB" -qAt -f "$probe_sql" >"$SCRATCH/data/probe.out" 2>&1 &
    probe_pid=$!

    t0=$(now)
    id=$(curl_json -X POST "$API/v1/batches" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
        --data-binary "@$SCRATCH/data/row.json" | jq -r .id)
    log "row $spec: batch $id on $model (ideal $ideal s)"
    read -r status wall < <(await_batch "$id" "$(calc "3 * $ideal + 120")" "$t0")
    kill "$probe_pid" 2>/dev/null || true; wait "$probe_pid" 2>/dev/null || true

    cpu_pg=$(calc "$(cpu_seconds $pgpids) - $cpu_pg0")
    cpu_w=$(calc "$(cpu_seconds $(for k in $(seq 1 "$WORKERS"); do stack_pid "worker-$k"; done)) - $cpu_w0")
    xact=$(( $(psql_q "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()") - xact0 ))
    upd=$(( $(psql_q "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'pacer_budgets'") - upd0 ))
    hot=$(( $(psql_q "SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'pacer_budgets'") - hot0 ))
    size=$(psql_q "SELECT pg_size_pretty(pg_total_relation_size('pacer_budgets'))")
    parts=$(psql_q "SELECT 'heap ' || pg_size_pretty(pg_relation_size(oid)) || ', TOAST ' || pg_size_pretty(pg_total_relation_size(reltoastrelid))
        FROM pg_class WHERE relname = 'pacer_budgets'")
    # How fast one model is sent while its limit binds: the first N sends (claims, jobs.started_at).
    first_n=$(psql_q "WITH s AS (SELECT started_at, row_number() OVER (ORDER BY started_at) AS i FROM jobs
        WHERE batch_id = '$id' AND started_at IS NOT NULL)
        SELECT round(extract(epoch FROM max(started_at) FILTER (WHERE i = $n) - min(started_at))::numeric, 1) FROM s")
    stats=$(curl_json "$SIM/__stats")
    # The probe's lock times: the "Time:" line after each SELECT ... FOR UPDATE (its 3rd timed statement of 4).
    read -r p50 p99 pmax pcount < <(awk '/^Time: / { k++; if (k % 4 == 2) print $2 }' "$SCRATCH/data/probe.out" | percentiles)
    row_max=$(awk -F'|' 'NF == 2 && $1 ~ /^[0-9]+$/ { if ($1 > c) c = $1; if ($2 > b) b = $2 } END { printf "%d entries, %d bytes", c, b }' "$SCRATCH/data/probe.out")
    per_window=$(psql_q "WITH s AS (SELECT extract(epoch FROM started_at - min(started_at) OVER ()) AS t
        FROM jobs WHERE batch_id = '$id') SELECT string_agg(c::text, ', ' ORDER BY k) FROM
        (SELECT floor(t / $w) AS k, count(*) AS c FROM s GROUP BY 1) x")
    # The share of the limit reached: the sends in the first W from the first send (the rest of the rate, the
    # simulator's most in any W, is read below).
    read -r first_w span_s < <(psql_q "WITH s AS (SELECT started_at FROM jobs WHERE batch_id = '$id' AND started_at IS NOT NULL)
        SELECT count(*) FILTER (WHERE started_at < (SELECT min(started_at) FROM s) + interval '$w seconds'),
               extract(epoch FROM max(started_at) - min(started_at)) FROM s" | tr '|' ' ')
    counts=$(curl_json "$API/v1/batches/$id" -H "Authorization: Bearer $KEY" | jq -c .request_counts)
    sent=$(jq .totals.requests <<<"$stats")
    limited=$(jq .totals.rate_limited <<<"$stats")
    maxw=$(jq -r "[.models[]? | .max_in_any_window] | max // 0" <<<"$stats")
    [[ $status == completed && $limited == 0 && $maxw -le $n && $counts == "{\"total\":$r,\"completed\":$r,\"failed\":0}" ]] || bad=1
    REPORT+=("
### $n per ${w} s, $r requests, one model ($model), $WORKERS workers
status                $status, request_counts $counts
wall                  $(calc "sprintf(\"%.1f\", $wall)") s; ideal $(calc "sprintf(\"%.2f\", $ideal)") s ($(calc "sprintf(\"%.3f\", $wall / $ideal)")); with the $(calc "$MARGIN_S * 1000") ms margin $(calc "sprintf(\"%.2f\", $ideal_m)") s ($(calc "sprintf(\"%.3f\", $wall / $ideal_m)"))
simulator             $sent requests sent (ideal $r), $limited 429s, max in any ${w} s window $maxw (limit $n)
sends per ${w} s        $per_window   (consecutive windows from the first send, jobs.started_at)
$(printf '%-22s' "first $n sends")in $first_n s ($(calc "sprintf(\"%.0f\", $n / $first_n)") per second)
probe lock time       p50 $p50 ms, p99 $p99 ms, max $pmax ms over $pcount probes every ${PROBE_MS} ms
pacer row             largest seen $row_max; $upd row updates ($(calc "sprintf(\"%.1f\", $upd / $r)") per request, $hot HOT); pacer_budgets now $size on disk ($parts)
limit reached         most in any ${w} s (simulator) $maxw of $n ($(calc "sprintf(\"%.0f\", 100 * $maxw / $n)") %); first ${w} s from the first send: $first_w ($(calc "sprintf(\"%.0f\", 100 * $first_w / $n)") %)
postgres              $xact transactions ($(calc "sprintf(\"%.0f\", $xact / $wall)")/s), backend CPU $(calc "sprintf(\"%.1f\", $cpu_pg)") s; workers' CPU $(calc "sprintf(\"%.1f\", $cpu_w)") s")
    SUMMARY+=("$(calc "$n / $w")/s ($n per ${w} s, $r requests, $WORKERS workers): wall $(calc "sprintf(\"%.1f\", $wall)") s against the ideal $(calc "sprintf(\"%.2f\", $ideal)") s (ideal/wall $(calc "sprintf(\"%.3f\", $ideal / $wall)")), $limited 429s, most in any ${w} s $maxw ($(calc "sprintf(\"%.0f\", 100 * $maxw / $n)") % of the limit)")
    log "row $spec: $status in $wall s, $limited 429s, max/window $maxw"
done

cat <<EOF

pacing-high-limits, $(date -u +%Y-%m-%dT%H:%MZ), jars $JARS_DESC, $(nproc) cores, $("$JAVA" -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)
simulator sliding window, latency ${LATENCY_MS} + 0..${JITTER_MS} ms; Sluice margin $(calc "$MARGIN_S * 1000") ms, $WORKERS workers, $(grep -ho 'up to [0-9]* jobs in flight' "$SCRATCH"/run/logs/worker-1.log 2>/dev/null | head -1 || echo '?') per worker (SLUICE_DATABASE_POOL_SIZE=${SLUICE_DATABASE_POOL_SIZE:-24 default}), ${SLUICE_PACING_MAX_CONCURRENCY:-64} per model
EOF
printf '%s\n' "${REPORT[@]}"
echo
echo "Summary"
printf '  %s\n' "${SUMMARY[@]}"
((bad == 0)) || exit 1
