#!/usr/bin/env bash
# Where a job's CPU goes on the instant provider (issue 16: >= 1,000 jobs/s on 2 cores): a stack (simulator answering
# at once without a limit, api, WORKERS (2) workers) on its own database and vhost; a WARM (5000)-line batch to warm
# the JIT, then a LINES (20000)-line batch measured, without pollers. Prints jobs/s end to end and in the table, CPU
# per job of each process, of PostgreSQL's backends, of all of PostgreSQL (background processes and reaped children
# included), of RabbitMQ and of the whole machine (from /proc; the server processes are shared, so whatever else runs
# meanwhile is counted in those three rows), and worker-1's CPU by thread (compiler threads,
# virtual-thread carriers, HttpClient threads ...). With JFR=1 (the default) each worker records a JFR file in OUT
# (settings JFC, default "profile"): read it with `jfr print --stack-depth 200 --events jdk.ExecutionSample`. A
# sample of PostgreSQL's statements (SAMPLE_RATE, 0.02) is logged for the run's new connections; OUT/pg.log holds
# the server log's lines of the run when the log is readable.
#
#   bench/job-cpu.sh                                   # LINES=20000 WARM=5000 WORKERS=2 JFR=1 OUT=/tmp/sluice-job-cpu
#   JFR=0 bench/job-cpu.sh                             # figures without the recorder
#   JAVA_TOOL_OPTIONS=-XX:FlightRecorderOptions:stackdepth=256 JFC=/path/cpu.jfc bench/job-cpu.sh
#
# Ports API_PORT 29580, SIMULATOR_PORT 29510, workers on 29581... Run it under flock with the other benches.
set -euo pipefail
NAME=job-cpu
LINES=${LINES:-20000}
WORKERS=${WORKERS:-2}
API_PORT=${API_PORT:-29580}; SIMULATOR_PORT=${SIMULATOR_PORT:-29510}; WORKER_BASE_PORT=${WORKER_BASE_PORT:-29580}
source "$(dirname "${BASH_SOURCE[0]}")/stack-lib.sh"
unset SIMULATOR_FAILURE_RATE SIMULATOR_RESET_RATE SIMULATOR_HANG_RATE SIMULATOR_TRUNCATE_RATE SIMULATOR_RETRY_AFTER
export SIMULATOR_LIMIT=1000000/1s SIMULATOR_LATENCY_MS=0 SIMULATOR_JITTER_MS=0 SLUICE_DEFAULT_LIMIT=1000000/1s
stack_start
OUT=${OUT:-/tmp/sluice-job-cpu}
mkdir -p "$OUT"
psql -h localhost -U "$PGUSER" -d postgres -qc "ALTER DATABASE $DB SET log_min_duration_sample = 0" -c "ALTER DATABASE $DB SET log_statement_sample_rate = ${SAMPLE_RATE:-0.02}" >/dev/null
# The warm-up batch (the JIT), not measured.
MODEL=openai/gpt-4o-mini
body() { awk -v n="$1" -v model="$MODEL" 'BEGIN {
        printf "{\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\",\"requests\":["
        for (i = 0; i < n; i++)
            printf "%s{\"custom_id\":\"c-%d\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"Question %d\"}]}}", (i ? "," : ""), i, model, i
        printf "]}" }' >"$SCRATCH/data/body.json"; }
submit() { curl -fsS -m 600 -X POST "$API/v1/batches" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' --data-binary "@$SCRATCH/data/body.json" | jq -r .id; }
body "${WARM:-5000}"; B=$(submit); read -r st w < <(await_batch "$B" 1200 "$(now)"); log "warm-up $st in $w s"
body "$LINES"
if [[ ${JFR:-1} == 1 ]]; then for i in $(seq 1 "$WORKERS"); do "$JAVA_HOME/bin/jcmd" "$(stack_pid worker-$i)" JFR.start name=job settings=${JFC:-profile} filename="$OUT/worker-$i.jfr" >/dev/null; done; fi
W=$(stack_pid worker-1)
snap() { for t in /proc/$W/task/*; do printf '%s\t%s\n' "$(cat $t/comm | sed 's/[0-9]\+/N/g')" "$(sed 's/^.*) //' $t/stat | awk '{print $12+$13}')"; done | sort; }
snap >"$OUT/t0"
PROCS=(api $(seq -f 'worker-%g' 1 "$WORKERS") simulator)
cpu_all() {
    for p in "${PROCS[@]}"; do cpu_seconds "$(stack_pid "$p")"; echo; done
    cpu_seconds $(pg_backends 2>/dev/null || true); echo
    postgres_cpu_seconds; echo; broker_cpu_seconds; echo; machine_busy; echo
}
pg_work() { psql_q "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted, blks_hit + blks_read, pg_current_wal_lsn() - '0/0'::pg_lsn FROM pg_stat_database WHERE datname = current_database()" | tr '|' ' '; }
before=$(cpu_all)
pg_before=$(pg_work)
PGLOG=${PGLOG:-/var/log/postgresql/postgresql-15-main.log}
LOGSTART=$(stat -c %s "$PGLOG" 2>/dev/null || echo 0)
t0=$(now); B=$(submit); accepted=$(calc "$(now) - $t0")
read -r st waited < <(await_batch "$B" 3600 "$t0")
after=$(cpu_all)
pg_after=$(pg_work)
snap >"$OUT/t1"
if [[ ${JFR:-1} == 1 ]]; then for i in $(seq 1 "$WORKERS"); do "$JAVA_HOME/bin/jcmd" "$(stack_pid worker-$i)" JFR.stop name=job >/dev/null; done; fi
tail -c +"$LOGSTART" "$PGLOG" >"$OUT/pg.log" 2>/dev/null || true
read -r table_s < <(psql_q "SELECT extract(epoch FROM max(completed_at) - min(started_at)) FROM jobs WHERE batch_id = '$B'")
echo "$LINES lines, $WORKERS workers ($JARS_DESC, load $(cut -d' ' -f1-3 /proc/loadavg)): $st, accept $accepted s, end to end $waited s = $(calc "$LINES / $waited") jobs/s; in table $(calc "$LINES / $table_s") jobs/s"
paste -d' ' <(printf '%s\n' "${PROCS[@]}" pg-backends postgres-all rabbitmq machine) <(echo "$before") <(echo "$after") | awk -v n="$LINES" '{ printf "  %-12s %7.1f s CPU  %6.3f ms/job\n", $1, $3-$2, 1000*($3-$2)/n }'
# PostgreSQL's work per job, in counts that do not depend on the machine's load: commits, rows written, buffers
# touched, and WAL written (the WAL is the server's: anything else writing meanwhile is counted too).
paste -d' ' <(tr ' ' '\n' <<<"$pg_before") <(tr ' ' '\n' <<<"$pg_after") | awk -v n="$LINES" '{ d[NR] = $2 - $1 }
    END { printf "  PostgreSQL per job: %.2f commits, %.2f rows written, %.0f buffers touched, %.0f bytes of WAL\n", d[1]/n, d[2]/n, d[3]/n, d[4]/n }'
echo "worker-1 threads:"
join -t $'\t' <(awk -F'\t' '{a[$1]+=$2} END {for (k in a) print k "\t" a[k]}' "$OUT/t0" | sort) \
              <(awk -F'\t' '{a[$1]+=$2} END {for (k in a) print k "\t" a[k]}' "$OUT/t1" | sort) \
  | awk -F'\t' '{d=$3-$2; if (d>0) printf "  %6d ticks  %s\n", d, $1}' | sort -rn | head -15
cp "$SCRATCH"/run/logs/worker-1.log "$OUT/" 2>/dev/null || true
