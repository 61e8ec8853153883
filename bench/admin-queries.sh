#!/usr/bin/env bash
# How long the admin views' SQL takes on a large table: GET /admin/queues (per-model counts), GET /admin/jobs
# (first page and a deep keyset page), GET /admin/usage (7 days), a batch's estimated_completion_at, and a
# batch's request_counts as polling reads them (kept counts, V19) beside the recount used before, at JOBS / 10
# jobs and at 10.
#
#   bench/admin-queries.sh                  JOBS=200000 (default): half queued on 4 models, half finished
#   JOBS=1000000 bench/admin-queries.sh
#
# Runs against the local PostgreSQL (127.0.0.1:5432, user postgres) in a database of its own
# (sluice_admin_bench), built with the migrations in db/ and dropped at the end. Prints one line per query:
# the server-side execution time (EXPLAIN ANALYZE, warm: best of 3 runs). The SQL is the repositories'.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-200000}
DB=sluice_admin_bench
PSQL=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q -X)

"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
trap '"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB"' EXIT
for migration in $(ls db/src/main/resources/db/migration/V*.sql | sort -t V -k 2 -n); do
    "${PSQL[@]}" -d $DB -f "$migration"
done

"${PSQL[@]}" -d $DB <<SQL
INSERT INTO tenants VALUES ('ten_a', 'a', 'whsec_x', now()), ('ten_b', 'b', 'whsec_x', now());
INSERT INTO models (model, first_seen_at) SELECT 'model-' || m, now() FROM generate_series(0, 3) m;
INSERT INTO batches (id, tenant_id, status, endpoint, completion_window, request_total, created_at, expires_at, in_progress_at)
SELECT 'batch_' || b, CASE WHEN b % 2 = 0 THEN 'ten_a' ELSE 'ten_b' END, 'in_progress', '/v1/chat/completions', '24h',
       $JOBS / 10, now() - (10 - b) * interval '1 hour', now() + interval '1 day', now()
  FROM generate_series(0, 9) b;
-- Jobs in batch order; the first half finished (with usage, over the last 7 days), the rest queued.
INSERT INTO jobs (id, tenant_id, batch_id, line_no, url, model, body, status, attempts, created_at, completed_at,
                  started_at, response_status, prompt_tokens, completion_tokens, total_tokens, published_at)
SELECT 'job_' || lpad(to_hex(i), 24, '0'),
       CASE WHEN (i / ($JOBS / 10)) % 2 = 0 THEN 'ten_a' ELSE 'ten_b' END,
       'batch_' || (i / ($JOBS / 10)), i % ($JOBS / 10) + 1, '/v1/chat/completions', 'model-' || (i % 4), '{}',
       CASE WHEN i < $JOBS / 2 THEN 'succeeded' ELSE 'queued' END, CASE WHEN i < $JOBS / 2 THEN 1 ELSE 0 END,
       now() - (10 - i / ($JOBS / 10)) * interval '1 hour',
       CASE WHEN i < $JOBS / 2 THEN now() - (i % 7) * interval '1 day' END,
       CASE WHEN i < $JOBS / 2 THEN now() - (i % 7) * interval '1 day' END,
       CASE WHEN i < $JOBS / 2 THEN 200 END,
       CASE WHEN i < $JOBS / 2 THEN 10 END, CASE WHEN i < $JOBS / 2 THEN 5 END, CASE WHEN i < $JOBS / 2 THEN 15 END,
       now()
  FROM generate_series(0, $JOBS - 1) i;
-- A small batch beside them, to compare a batch's count read at 10 jobs with one at JOBS / 10.
INSERT INTO batches (id, tenant_id, status, endpoint, completion_window, request_total, created_at, expires_at, in_progress_at)
VALUES ('batch_small', 'ten_a', 'in_progress', '/v1/chat/completions', '24h', 10, now(), now() + interval '1 day', now());
INSERT INTO jobs (id, tenant_id, batch_id, line_no, url, model, body, status, created_at, published_at)
SELECT 'job_small_' || i, 'ten_a', 'batch_small', i, '/v1/chat/completions', 'model-0', '{}', 'queued', now(), now()
  FROM generate_series(1, 10) i;
INSERT INTO worker_heartbeats VALUES ('worker-1', ARRAY['model-0','model-1','model-2','model-3'], now());
VACUUM ANALYZE;
SQL

time_of() { # name, sql: best execution time of 3 runs
    local name=$1 sql=$2 best=""
    for _ in 1 2 3; do
        ms=$("${PSQL[@]}" -d $DB -At -c "EXPLAIN (ANALYZE, FORMAT JSON) $sql" \
            | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Execution Time"])')
        best=$(python3 -c "print(min(float('$ms'), float('${best:-inf}')))")
    done
    printf '%-50s %9.2f ms\n' "$name" "$best"
}

DEEP=$("${PSQL[@]}" -d $DB -At -c "SELECT id, created_at FROM jobs ORDER BY created_at DESC, id DESC OFFSET $((JOBS * 3 / 4)) LIMIT 1")
DEEP_ID=${DEEP%%|*}; DEEP_AT=${DEEP#*|}
FILTERS="AND (CAST(NULL AS text) IS NULL OR status = NULL) AND (CAST('model-1' AS text) IS NULL OR model = 'model-1')
         AND (CAST(NULL AS text) IS NULL OR batch_id = NULL) AND (CAST(NULL AS text) IS NULL OR tenant_id = NULL)"
COLUMNS="SELECT id, tenant_id, batch_id, line_no, custom_id, url, model, priority, status, attempts, created_at,
         started_at, completed_at, response_status, error_code, error_message, prompt_tokens, completion_tokens,
         total_tokens, latency_ms FROM jobs"

echo "$JOBS jobs ($((JOBS / 2)) queued on 4 models, $((JOBS / 2)) finished), 10 batches"
time_of "admin/queues: counts for every model" "
SELECT m.model, q.waiting, q.oldest, r.running, e.rate_limited, w.consumers FROM models m
 CROSS JOIN LATERAL (SELECT count(*) AS waiting, min(j.created_at) AS oldest FROM jobs j WHERE j.model = m.model AND j.status = 'queued') q
 CROSS JOIN LATERAL (SELECT count(*) AS running FROM jobs j WHERE j.model = m.model AND j.status = 'running') r
 CROSS JOIN LATERAL (SELECT count(*) AS rate_limited FROM rate_limit_events ev WHERE ev.model = m.model AND ev.occurred_at > now() - interval '1 hour') e
 CROSS JOIN LATERAL (SELECT count(*) AS consumers FROM worker_heartbeats h WHERE m.model = ANY (h.models) AND h.seen_at > now() - interval '30 seconds') w
 ORDER BY m.model"
time_of "admin/jobs?model=: first page of 100" "$COLUMNS WHERE true $FILTERS ORDER BY created_at DESC, id DESC LIMIT 101"
time_of "admin/jobs?model=: page after $((JOBS * 3 / 4)) jobs" "$COLUMNS WHERE (created_at, id) < ('$DEEP_AT', '$DEEP_ID') $FILTERS ORDER BY created_at DESC, id DESC LIMIT 101"
time_of "admin/usage: 7 days, every tenant and model" "
SELECT tenant_id, model, CAST(completed_at AT TIME ZONE 'UTC' AS date) AS day, count(*),
       count(*) FILTER (WHERE status = 'succeeded'), count(*) FILTER (WHERE status = 'failed'),
       coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), coalesce(sum(total_tokens), 0)
  FROM jobs WHERE completed_at >= now() - interval '7 days' AND completed_at < now() + interval '1 day'
   AND status IN ('succeeded', 'failed') GROUP BY tenant_id, model, day ORDER BY day, tenant_id, model"
time_of "estimated_completion_at of the last batch" "
WITH mine AS (SELECT model FROM batch_job_counts WHERE batch_id = 'batch_9' GROUP BY model HAVING sum(queued + running) > 0)
SELECT m.model,
       (SELECT coalesce(sum(c.queued + c.running), 0)
          FROM batches b JOIN batch_job_counts c ON c.batch_id = b.id AND c.model = m.model
         WHERE b.status IN ('in_progress', 'finalizing', 'cancelling')
           AND (b.priority > 0 OR (b.priority = 0 AND b.created_at <= now())))
     + (SELECT count(*) FROM jobs j
         WHERE j.batch_id IS NULL AND j.model = m.model AND j.status IN ('queued', 'running')
           AND (j.priority > 0 OR (j.priority = 0 AND j.created_at <= now()))) AS ahead
  FROM mine m"
KEPT_COUNTS="SELECT coalesce(sum(queued), 0), coalesce(sum(running), 0), coalesce(sum(succeeded), 0),
       coalesce(sum(failed), 0), coalesce(sum(cancelled), 0), coalesce(sum(expired), 0)
  FROM batch_job_counts WHERE batch_id ="
RECOUNT="SELECT count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'running'),
       count(*) FILTER (WHERE status = 'succeeded'), count(*) FILTER (WHERE status = 'failed'),
       count(*) FILTER (WHERE status = 'cancelled'), count(*) FILTER (WHERE status = 'expired')
  FROM jobs WHERE batch_id ="
time_of "request_counts: $((JOBS / 10))-job batch (kept, V19)" "$KEPT_COUNTS 'batch_9'"
time_of "request_counts: 10-job batch (kept, V19)" "$KEPT_COUNTS 'batch_small'"
time_of "request_counts: $((JOBS / 10))-job batch (recount, before)" "$RECOUNT 'batch_9'"
time_of "request_counts: 10-job batch (recount, before)" "$RECOUNT 'batch_small'"
