#!/usr/bin/env bash
# What the claim's row locks cost PostgreSQL. JobTransitions' QUEUED_TO_RUNNING_MANY locks the jobs it claims
# (FOR UPDATE SKIP LOCKED, in id order) before it updates them, so that two claims, or a claim and a batch's cancel,
# never wait for each other or deadlock. This claims LINES (60,000) jobs, CLAIM (30) to a statement and one
# transaction each, as that statement and as the plain UPDATE it would be without the lock, alternately ROUNDS (2)
# times each on a freshly seeded table, and prints each run's time and WAL beside the other's. The claims run in one PL/pgSQL block
# in the server, so the times are PostgreSQL's own work, with no client round trips.
#
#   bench/claim-lock.sh                     LINES=60000 CLAIM=30 ROUNDS=2 (LINES a multiple of CLAIM)
#
# Runs against the local PostgreSQL (127.0.0.1:5432, user postgres) in a database of its own
# (sluice_claim_lock_bench), built with the migrations in db/ and dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
LINES=${LINES:-60000}
CLAIM=${CLAIM:-30}
ROUNDS=${ROUNDS:-2}
DB=sluice_claim_lock_bench
PSQL=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q -X)

"${PSQL[@]}" -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
trap '"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB"' EXIT
for migration in $(ls db/src/main/resources/db/migration/V*.sql | sort -t V -k 2 -n); do
    "${PSQL[@]}" -d $DB -f "$migration"
done

# seed: one tenant, one batch of LINES queued and published jobs (a batch's jobs as the api stores them)
seed() {
    "${PSQL[@]}" -d $DB <<SQL
SET client_min_messages = warning;
TRUNCATE jobs, batches, tenants CASCADE;
INSERT INTO tenants (id, name, webhook_secret, created_at) VALUES ('ten_a', 'a', 'whsec_x', now());
INSERT INTO batches (id, tenant_id, status, endpoint, completion_window, request_total, created_at, expires_at)
VALUES ('batch_a', 'ten_a', 'in_progress', '/v1/chat/completions', '24h', $LINES, now(), now() + interval '1 day');
INSERT INTO jobs (id, tenant_id, batch_id, line_no, custom_id, url, model, body, status, created_at, published_at)
SELECT 'job_' || lpad(to_hex(g), 24, '0'), 'ten_a', 'batch_a', g, 'request-' || g, '/v1/chat/completions', 'model-a',
       '{"model":"model-a","messages":[{"role":"user","content":"Say hello to line ' || g || ' of the batch"}]}',
       'queued', now(), now()
  FROM generate_series(1, $LINES) g;
VACUUM ANALYZE jobs;
CHECKPOINT;
SQL
}

# claims <variant>: prints "<ms> <WAL bytes> <jobs running>"
claims() {
    local before
    before=$("${PSQL[@]}" -d $DB -Atc "SELECT pg_current_wal_lsn()")
    PGOPTIONS="-c bench.variant=$1" "${PSQL[@]}" -d $DB <<SQL 2>&1 | sed -n 's/.*NOTICE:  //p'
DO \$\$
DECLARE
    started timestamptz := clock_timestamp();
    ids text[];
    tokens text[];
BEGIN
    FOR i IN 0 .. ($LINES / $CLAIM) - 1 LOOP
        SELECT array_agg(id ORDER BY id), array_agg('claim-' || id ORDER BY id) INTO ids, tokens
          FROM jobs WHERE batch_id = 'batch_a' AND line_no > i * $CLAIM AND line_no <= (i + 1) * $CLAIM;
        IF current_setting('bench.variant') = 'locked' THEN
            -- JobTransitions.QUEUED_TO_RUNNING_MANY, its parameters in \$1 (ids) and \$2 (tokens), a 60 s lease
            EXECUTE \$q\$
                WITH claimable AS (
                    SELECT id FROM jobs
                     WHERE id = ANY(\$1) AND status = 'queued' AND (not_before IS NULL OR not_before <= now())
                     ORDER BY id
                       FOR UPDATE SKIP LOCKED)
                UPDATE jobs j
                   SET status = 'running', attempts = j.attempts + 1, lease_owner = c.token,
                       lease_expires_at = now() + 60000 * interval '1 millisecond',
                       started_at = coalesce(j.started_at, clock_timestamp()),
                       published_at = coalesce(j.published_at, clock_timestamp())
                  FROM claimable k
                  JOIN unnest(CAST(\$1 AS text[]), CAST(\$2 AS text[])) AS c (id, token) ON c.id = k.id
                 WHERE j.id = k.id\$q\$ USING ids, tokens;
        ELSE
            -- the same claim without the lock: it would wait for a row another transaction holds
            EXECUTE \$q\$
                UPDATE jobs j
                   SET status = 'running', attempts = j.attempts + 1, lease_owner = c.token,
                       lease_expires_at = now() + 60000 * interval '1 millisecond',
                       started_at = coalesce(j.started_at, clock_timestamp()),
                       published_at = coalesce(j.published_at, clock_timestamp())
                  FROM unnest(CAST(\$1 AS text[]), CAST(\$2 AS text[])) AS c (id, token)
                 WHERE j.id = c.id AND j.status = 'queued'
                   AND (j.not_before IS NULL OR j.not_before <= now())\$q\$ USING ids, tokens;
        END IF;
        COMMIT;
    END LOOP;
    RAISE NOTICE '%', round(extract(epoch FROM clock_timestamp() - started) * 1000);
END \$\$;
SQL
    "${PSQL[@]}" -d $DB -Atc "SELECT pg_current_wal_lsn() - '$before'::pg_lsn, count(*) FILTER (WHERE status = 'running') FROM jobs" \
        | tr '|' ' '
}

echo "claim-lock: $LINES jobs claimed, $CLAIM to a statement, one transaction each; git $(git rev-parse --short HEAD), $(psql -h 127.0.0.1 -U postgres -Atc 'SHOW server_version'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-10s %10s %12s %14s %12s\n' round claim ms "µs per job" "WAL per job" running
for round in $(seq 1 "$ROUNDS"); do
    for variant in locked plain; do
        seed
        read -r ms wal running < <(claims $variant | paste -sd' ')
        printf '%-8s %-10s %10s %12.1f %12d B %12s\n' "$round" "$variant" "$ms" \
            "$(echo "$ms * 1000 / $LINES" | bc -l)" "$((wal / LINES))" "$running"
        if [[ $running != "$LINES" ]]; then
            echo "expected $LINES jobs running after the $variant claims, found $running" >&2
            exit 1
        fi
    done
done
