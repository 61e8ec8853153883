#!/usr/bin/env bash
# One 100,000-request batch through a whole Sluice stack, submitted inline and from an uploaded file.
#
#   bench/large-batch.sh                       # LINES=100000 MODELS=4 LIMIT=200/1s WORKERS=2 MODES=inline,file
#   LINES=20000 MODES=file bench/large-batch.sh
#   CHAOS=1 KILL_AT=120 MODES=file SLUICE_LEASE_DURATION=30s SLUICE_UPSTREAM_READ_TIMEOUT=10s bench/large-batch.sh
#       SIGKILL worker 1 KILL_AT s after the POST began, start it again 5 s later; the dead worker's claimed
#       jobs come back after one lease (5 min by default, hence the shorter lease; it must exceed one call)
#
# Settings (environment): LINES requests per batch, spread round-robin over MODELS models; LIMIT per model
# (the simulator's sliding window and SLUICE_DEFAULT_LIMIT alike); LATENCY_MS + 0..JITTER_MS (50 + 50) at the
# simulator; WORKERS; TIMEOUT s per batch (900); API_PORT 38080, SIMULATOR_PORT 33010, WORKER_BASE_PORT 38080.
# Sluice's own settings are its defaults (margin 250 ms, 64 in flight per model per worker, JVM default heap)
# unless exported (SLUICE_PACING_SAFETY_MARGIN=...).
#
# For each mode it prints: the time to accept (upload + POST for a file), time to the first result (polled
# every 0.5 s, and from the jobs table), wall time to `completed` against the ideal, throughput, the
# simulator's requests / 429s / max in any window, api and worker peak RSS (VmHWM, reset before each mode)
# and heap, PostgreSQL transactions committed during the run, the time to download the output file, and the
# invariants: LINES result lines, LINES distinct custom_ids (exactly the ones sent), 0 duplicates,
# request_counts = {LINES, LINES, 0}. Exit status 1 if an invariant fails.
#
# ideal: each model's share n = LINES / MODELS goes at N per W, so the last one can leave at
# floor((n-1)/N)*W and the ideal is that + mean latency; Sluice waits W + margin between a send and the send
# N later (docs/pacing.md), so its own best is floor((n-1)/N)*(W + margin) + latency: both are printed.
#
# Loopback only; its own database (sluice_large_batch) and vhost (sluice-large-batch), dropped at the end.
set -euo pipefail

NAME=large-batch
LINES=${LINES:-100000}
NMODELS=${MODELS:-4}
LIMIT=${LIMIT:-200/1s}
LATENCY_MS=${LATENCY_MS:-50}
JITTER_MS=${JITTER_MS:-50}
WORKERS=${WORKERS:-2}
MODES=${MODES:-inline,file}
TIMEOUT=${TIMEOUT:-900}
CHAOS=${CHAOS:-0}
KILL_AT=${KILL_AT:-30}
API_PORT=${API_PORT:-38080}
SIMULATOR_PORT=${SIMULATOR_PORT:-33010}
WORKER_BASE_PORT=${WORKER_BASE_PORT:-38080}
ALL_MODELS=(openai/gpt-4o-mini anthropic/claude-3-5-haiku meta-llama/llama-3.1-8b-instruct
    mistralai/mistral-7b-instruct google/gemini-2.5-flash openai/gpt-4o qwen/qwen-2.5-72b-instruct
    deepseek/deepseek-chat)
source "$(dirname "${BASH_SOURCE[0]}")/stack-lib.sh"

[[ $LIMIT =~ ^([0-9]+)/([0-9]+)s$ ]] || die "LIMIT must be N/Ws"
LIMIT_N=${BASH_REMATCH[1]} LIMIT_W=${BASH_REMATCH[2]}
((NMODELS >= 1 && NMODELS <= ${#ALL_MODELS[@]})) || die "MODELS must be 1..${#ALL_MODELS[@]}"
MODEL_LIST=("${ALL_MODELS[@]:0:$NMODELS}")

unset SIMULATOR_FAILURE_RATE SIMULATOR_RESET_RATE SIMULATOR_HANG_RATE SIMULATOR_TRUNCATE_RATE SIMULATOR_RETRY_AFTER
export SIMULATOR_LIMIT=$LIMIT SIMULATOR_WINDOW=sliding SIMULATOR_LATENCY_MS=$LATENCY_MS SIMULATOR_JITTER_MS=$JITTER_MS \
    SLUICE_DEFAULT_LIMIT=$LIMIT
log "starting simulator :$SIMULATOR_PORT ($LIMIT per model, ${LATENCY_MS}+0..${JITTER_MS} ms), api :$API_PORT, $WORKERS worker(s)"
stack_start
# Every simulator model id must exist; check the ones used once.
for m in "${MODEL_LIST[@]}"; do
    curl -fsS -o /dev/null "$SIM/v1/models/$m" -H 'Authorization: Bearer sk-x' || die "the simulator has no model $m"
done

MARGIN_S=$(margin_seconds)
PER_MODEL=$(( (LINES + NMODELS - 1) / NMODELS ))
MEAN_L=$(calc "($LATENCY_MS + $JITTER_MS / 2) / 1000")
IDEAL=$(calc "int(($PER_MODEL - 1) / $LIMIT_N) * $LIMIT_W + $MEAN_L")
IDEAL_M=$(calc "int(($PER_MODEL - 1) / $LIMIT_N) * ($LIMIT_W + $MARGIN_S) + $MEAN_L")
PROCS=(api $(for i in $(seq 1 "$WORKERS"); do echo "worker-$i"; done))
HEAP_API=$(heap_settings api)
HEAP_WORKER=$(heap_settings worker-1)

# input <mode> <file>: LINES JSONL request lines, model round-robin, custom_id "<mode>-<i>"
input() {
    awk -v n="$LINES" -v mode="$1" -v models="$(IFS=,; echo "${MODEL_LIST[*]}")" 'BEGIN {
        k = split(models, m, ",")
        for (i = 0; i < n; i++)
            printf "{\"custom_id\":\"%s-%d\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"Question %d\"}]}}\n", mode, i, m[i % k + 1], i
    }' >"$2"
}

table_writes() { psql_q "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables" | tr '|' ' ' | sort; }

REPORT=()
failed_invariant=0
run_mode() {
    local mode=$1 data=$SCRATCH/data
    input "$mode" "$data/$mode.jsonl"
    cut -d'"' -f4 "$data/$mode.jsonl" | sort >"$data/$mode.ids"
    local bytes; bytes=$(stat -c %s "$data/$mode.jsonl")
    curl_json -X POST "$SIM/__reset" >/dev/null
    for p in "${PROCS[@]}"; do reset_peak_rss "$p"; done
    local pgpids; pgpids=$(pg_backends)
    local -A cpu0; for p in "${PROCS[@]}" simulator; do cpu0[$p]=$(cpu_seconds "$(stack_pid "$p")"); done
    cpu0[pg]=$(cpu_seconds $pgpids)
    local api_log_from; api_log_from=$(wc -l <"$SCRATCH/run/logs/api.log")
    table_writes >"$data/tables0"
    local xact0; xact0=$(psql_q "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
    local t0 accept upload=0 id
    if [[ $mode == inline ]]; then
        { printf '{"endpoint":"/v1/chat/completions","completion_window":"24h","metadata":{"bench":"large-batch"},"requests":['
          paste -sd, "$data/$mode.jsonl"; printf ']}'; } >"$data/body.json"
        bytes=$(stat -c %s "$data/body.json")
        t0=$(now)
        accept=$(curl -fsS -m 600 -o "$data/batch.json" -w '%{time_total}' -X POST "$API/v1/batches" \
            -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' --data-binary "@$data/body.json")
    else
        t0=$(now)
        upload=$(curl -fsS -m 600 -o "$data/file.json" -w '%{time_total}' -X POST "$API/v1/files" \
            -H "Authorization: Bearer $KEY" -F purpose=batch -F "file=@$data/$mode.jsonl")
        accept=$(curl -fsS -m 600 -o "$data/batch.json" -w '%{time_total}' -X POST "$API/v1/batches" \
            -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
            -d "{\"input_file_id\":\"$(jq -r .id "$data/file.json")\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}")
    fi
    id=$(jq -r .id "$data/batch.json")
    log "$mode: batch $id accepted in $(calc "$upload + $accept") s ($(jq -r .request_counts.total "$data/batch.json") requests, $bytes bytes)"

    local status="" first="" done_n b chaos_note="" last_log=0
    local killed=0 restarted=0
    while :; do
        b=$(curl_json "$API/v1/batches/$id" -H "Authorization: Bearer $KEY") || { sleep 0.5; continue; }
        status=$(jq -r .status <<<"$b"); done_n=$(jq -r '.request_counts.completed + .request_counts.failed' <<<"$b")
        [[ -z $first && $done_n -gt 0 ]] && first=$(calc "$(now) - $t0")
        case $status in completed | failed | expired | cancelled) break ;; esac
        local el; el=$(calc "$(now) - $t0")
        if [[ $CHAOS == 1 && $killed == 0 ]] && (($(calc "$el >= $KILL_AT"))); then
            kill -9 "$(stack_pid worker-1)"; killed=1
            chaos_note="SIGKILLed worker-1 at +$(calc "sprintf(\"%.1f\", $el)") s ($done_n done)"; log "$mode: $chaos_note"
        fi
        if [[ $killed == 1 && $restarted == 0 ]] && (($(calc "$el >= $KILL_AT + 5"))); then
            "$SCRATCH/bin/sluice-local" start >/dev/null; restarted=1
            chaos_note+=", restarted it at +$(calc "sprintf(\"%.1f\", $(now) - $t0)") s (healthy)"; log "$mode: worker-1 back"
        fi
        if (($(calc "$el > $TIMEOUT"))); then status=timeout; break; fi
        if [[ -z $first ]]; then sleep 0.25; continue; fi
        if (($(calc "$el - ${last_log:-0} >= 15"))); then log "$mode: +$(calc "sprintf(\"%.0f\", $el)") s  $status  $done_n / $LINES done"; last_log=$el; fi
        sleep 1
    done
    local wall; wall=$(calc "$(now) - $t0")
    local cpu=""; for p in "${PROCS[@]}" simulator; do
        [[ $p == worker-1 && $CHAOS == 1 ]] && { cpu+="$p (killed), "; continue; }
        cpu+="$p $(calc "sprintf(\"%.0f\", $(cpu_seconds "$(stack_pid "$p")") - ${cpu0[$p]})") s, "; done
    cpu+="postgres backends $(calc "sprintf(\"%.0f\", $(cpu_seconds $pgpids) - ${cpu0[pg]})") s"
    local rss=""; for p in "${PROCS[@]}"; do rss+="$p $(peak_rss "$p") MiB, "; done
    sleep 1; table_writes >"$data/tables1"   # table statistics are flushed about once a second
    local writes; writes=$(join "$data/tables0" "$data/tables1" | awk -v n="$LINES" '{
        ins = $5 - $2; upd = $6 - $3; del = $7 - $4
        if ((ins + upd + del) / n >= 0.01) { printf "%s%s +%.2f/~%.2f/-%.2f", sep, $1, ins / n, upd / n, del / n; sep = ", " } }')
    local xact1; xact1=$(psql_q "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
    local stats; stats=$(curl_json "$SIM/__stats")
    # From the jobs table, relative to the POST: first result, first and last send, last result.
    local times; times=$(psql_q "SELECT
        round(extract(epoch FROM min(completed_at) - to_timestamp($t0))::numeric, 2),
        round(extract(epoch FROM min(started_at) - to_timestamp($t0))::numeric, 2),
        round(extract(epoch FROM max(started_at) - to_timestamp($t0))::numeric, 2),
        round(extract(epoch FROM max(completed_at) - to_timestamp($t0))::numeric, 2),
        coalesce(sum(attempts), 0), count(*) FILTER (WHERE attempts > 1),
        round(extract(epoch FROM min(created_at) - to_timestamp($t0))::numeric, 2)
        FROM jobs WHERE batch_id = '$id'" | tr '|' ' ')
    local db_first first_send last_send last_done attempts retried created
    read -r db_first first_send last_send last_done attempts retried created <<<"$times"
    # The api's sweeper publishes again any job older than sluice.dispatch.republish-after (60 s) whose message
    # is not confirmed yet: while a huge batch is still being published by its own request, that doubles messages.
    local swept; swept=$(tail -n +"$((api_log_from + 1))" "$SCRATCH/run/logs/api.log" |
        sed -n 's/.*Published \([0-9]*\) job(s) that had no confirmed message.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')

    local out_id err_id download
    out_id=$(jq -r '.output_file_id // empty' <<<"$b"); err_id=$(jq -r '.error_file_id // empty' <<<"$b")
    download=$(curl -fsS -m 600 -o "$data/out.jsonl" -w '%{time_total}' "$API/v1/files/$out_id/content" \
        -H "Authorization: Bearer $KEY" 2>/dev/null || echo "n/a")
    : >"$data/err.jsonl"
    [[ -n $err_id ]] && curl -fsS -m 600 -o "$data/err.jsonl" "$API/v1/files/$err_id/content" -H "Authorization: Bearer $KEY"
    local out_lines err_lines distinct missing unknown
    out_lines=$(grep -c . "$data/out.jsonl" || true); err_lines=$(grep -c . "$data/err.jsonl" || true)
    cat "$data/out.jsonl" "$data/err.jsonl" | jq -r .custom_id | sort >"$data/got.ids"
    distinct=$(sort -u "$data/got.ids" | grep -c . || true)
    missing=$(comm -23 "$data/$mode.ids" <(sort -u "$data/got.ids") | grep -c . || true)
    unknown=$(comm -13 "$data/$mode.ids" <(sort -u "$data/got.ids") | grep -c . || true)
    local counts; counts=$(jq -c .request_counts <<<"$b")
    local ok=1
    [[ $status == completed && $out_lines == "$LINES" && $err_lines == 0 && $distinct == "$LINES" && $missing == 0 \
        && $unknown == 0 && $counts == "{\"total\":$LINES,\"completed\":$LINES,\"failed\":0}" ]] || ok=0
    ((ok)) || failed_invariant=1

    local sent; sent=$(calc "$last_send - $first_send")
    REPORT+=("
### $mode ($(calc "sprintf(\"%.1f\", $bytes / 1048576)") MiB $([[ $mode == inline ]] && echo 'JSON body' || echo 'JSONL file'))
${chaos_note:+chaos                      $chaos_note
}accept                     $([[ $mode == file ]] && echo "upload $(calc "sprintf(\"%.2f\", $upload)") s + POST /v1/batches $(calc "sprintf(\"%.2f\", $accept)") s = ")$(calc "sprintf(\"%.2f\", $upload + $accept)") s (POST -> 200)
stored                     jobs.created_at +$created s after the POST began; the api's sweeper published $swept job message(s) a second time during the run
first result               +$(calc "sprintf(\"%.1f\", ${first:-0})") s polled, +$db_first s in the jobs table (first send +$first_send s)
wall to completed          $(calc "sprintf(\"%.1f\", $wall)") s   ideal $(calc "sprintf(\"%.1f\", $IDEAL)") s at $LIMIT (wall/ideal $(calc "sprintf(\"%.2f\", $wall / $IDEAL)")); with the $(calc "$MARGIN_S * 1000") ms margin $(calc "sprintf(\"%.1f\", $IDEAL_M)") s ($(calc "sprintf(\"%.2f\", $wall / $IDEAL_M)"))
sending                    first send +$first_send s, last send +$last_send s: $(calc "sprintf(\"%.0f\", ($LINES - 1) / ($sent > 0 ? $sent : 1))") req/s ($(calc "sprintf(\"%.0f\", ($LINES - 1) / ($sent > 0 ? $sent : 1) / $NMODELS)") per model; limit $(calc "sprintf(\"%.0f\", $LIMIT_N / $LIMIT_W)")/s, $(calc "sprintf(\"%.0f\", $LIMIT_N / ($LIMIT_W + $MARGIN_S))")/s with the margin); last result +$last_done s
throughput                 $(calc "sprintf(\"%.0f\", $LINES / $wall)") results/s over the whole wall time
simulator                  $(jq .totals.requests <<<"$stats") requests, $(jq .totals.answered <<<"$stats") answered, $(jq .totals.rate_limited <<<"$stats") 429s, max in any ${LIMIT_W} s window per model: $(jq -r '[.models[]? | .max_in_any_window] | map(tostring) | join(", ")' <<<"$stats") (limit $LIMIT_N)
attempts                   $attempts recorded, $retried jobs retried
peak RSS (VmHWM)           ${rss%, }
CPU during the run         $cpu ($(nproc) cores x $(calc "sprintf(\"%.0f\", $wall)") s = $(calc "sprintf(\"%.0f\", $(nproc) * $wall)") s available; other helpers' builds share them)
postgres                   $((xact1 - xact0)) transactions committed in the batch's database ($(calc "sprintf(\"%.0f\", ($xact1 - $xact0) / $wall)")/s, $(calc "sprintf(\"%.1f\", ($xact1 - $xact0) / $LINES)") per request)
row writes per request     $writes   (inserted/updated/deleted, pg_stat_user_tables)
download output            $download s ($(calc "sprintf(\"%.1f\", $(stat -c %s "$data/out.jsonl") / 1048576)") MiB)
invariants                 $([[ $ok == 1 ]] && echo OK || echo FAILED): status $status; $out_lines result lines + $err_lines error lines; $distinct distinct custom_ids, $(( out_lines + err_lines - distinct )) duplicated, $missing missing, $unknown unknown; request_counts $counts")
    log "$mode: $status in $(calc "sprintf(\"%.1f\", $wall)") s"
    rm -f "$data"/*.jsonl "$data/body.json"
}

IFS=, read -ra mode_list <<<"$MODES"
for mode in "${mode_list[@]}"; do
    [[ $mode == inline || $mode == file ]] || die "MODES: inline and/or file"
    run_mode "$mode"
done

cat <<EOF

large-batch, $(date -u +%Y-%m-%dT%H:%MZ), jars $JARS_DESC, $(nproc) cores, $("$JAVA" -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)
$LINES requests over $NMODELS models ($PER_MODEL each), $WORKERS worker(s); simulator ${LIMIT} per model (sliding), latency ${LATENCY_MS} + 0..${JITTER_MS} ms; SLUICE_DEFAULT_LIMIT=$LIMIT, margin $(calc "$MARGIN_S * 1000") ms
heap (JVM defaults, no -Xmx given): api $HEAP_API, worker $HEAP_WORKER
EOF
printf '%s\n' "${REPORT[@]}"
((failed_invariant == 0)) || exit 1
