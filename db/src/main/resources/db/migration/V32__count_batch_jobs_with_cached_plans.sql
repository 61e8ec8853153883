-- The counting trigger of V19, without its per-statement planning (docs/architecture.md, "How a batch's counts are
-- kept"). Same counts, same rows written.
--
-- A SQL-language function that is not inlined (an INSERT is not) has its body parsed and planned anew at every call,
-- so each statement on jobs planned the INSERT ... ON CONFLICT below once more: ~0.4 ms of PostgreSQL's CPU, on every
-- claim, finish and marking, for batch jobs and single jobs alike (docs/benchmarks.md). In PL/pgSQL the statement's
-- plan is kept for the session.
CREATE OR REPLACE FUNCTION add_batch_job_counts(p_shard smallint, p_changes job_count_change[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO batch_job_counts AS c (batch_id, model, shard, queued, running, succeeded, failed, cancelled,
                                       expired, prompt_tokens, completion_tokens, total_tokens)
    SELECT * FROM (
        SELECT d.batch_id, d.model, p_shard,
               coalesce(sum(d.jobs) FILTER (WHERE d.status = 'queued'), 0) AS queued,
               coalesce(sum(d.jobs) FILTER (WHERE d.status = 'running'), 0) AS running,
               coalesce(sum(d.jobs) FILTER (WHERE d.status = 'succeeded'), 0) AS succeeded,
               coalesce(sum(d.jobs) FILTER (WHERE d.status = 'failed'), 0) AS failed,
               coalesce(sum(d.jobs) FILTER (WHERE d.status = 'cancelled'), 0) AS cancelled,
               coalesce(sum(d.jobs) FILTER (WHERE d.status = 'expired'), 0) AS expired,
               coalesce(sum(d.prompt_tokens), 0) AS prompt,
               coalesce(sum(d.completion_tokens), 0) AS completion,
               coalesce(sum(d.total_tokens), 0) AS total
          FROM unnest(p_changes) AS d
         GROUP BY d.batch_id, d.model) AS delta
     WHERE queued <> 0 OR running <> 0 OR succeeded <> 0 OR failed <> 0 OR cancelled <> 0 OR expired <> 0
        OR prompt <> 0 OR completion <> 0 OR total <> 0
     ORDER BY batch_id, model
    ON CONFLICT (batch_id, model, shard) DO UPDATE
       SET queued = c.queued + excluded.queued, running = c.running + excluded.running,
           succeeded = c.succeeded + excluded.succeeded, failed = c.failed + excluded.failed,
           cancelled = c.cancelled + excluded.cancelled, expired = c.expired + excluded.expired,
           prompt_tokens = c.prompt_tokens + excluded.prompt_tokens,
           completion_tokens = c.completion_tokens + excluded.completion_tokens,
           total_tokens = c.total_tokens + excluded.total_tokens;
END
$$;

-- As V19's, but a statement that touched no batch's job (a facade call's or a single job's every step) gathers an
-- empty list and writes nothing, without calling add_batch_job_counts at all.
CREATE OR REPLACE FUNCTION count_batch_jobs() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changes job_count_change[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        changes := ARRAY(
            SELECT CAST(ROW(batch_id, model, status, count(*), sum(prompt_tokens), sum(completion_tokens),
                            sum(total_tokens)) AS job_count_change)
              FROM new_jobs WHERE batch_id IS NOT NULL GROUP BY batch_id, model, status);
    ELSIF TG_OP = 'UPDATE' THEN
        changes := ARRAY(
            SELECT CAST(ROW(batch_id, model, status, count(*), sum(prompt_tokens), sum(completion_tokens),
                            sum(total_tokens)) AS job_count_change)
              FROM new_jobs WHERE batch_id IS NOT NULL GROUP BY batch_id, model, status
             UNION ALL
            SELECT CAST(ROW(batch_id, model, status, -count(*), -sum(prompt_tokens), -sum(completion_tokens),
                            -sum(total_tokens)) AS job_count_change)
              FROM old_jobs WHERE batch_id IS NOT NULL GROUP BY batch_id, model, status);
    ELSE
        changes := ARRAY(
            SELECT CAST(ROW(batch_id, model, status, -count(*), -sum(prompt_tokens), -sum(completion_tokens),
                            -sum(total_tokens)) AS job_count_change)
              FROM old_jobs WHERE batch_id IN (SELECT id FROM batches) GROUP BY batch_id, model, status);
    END IF;
    IF cardinality(changes) > 0 THEN
        PERFORM add_batch_job_counts(CAST(CAST(CAST(pg_current_xact_id() AS text) AS bigint) % 16 AS smallint),
                                     changes);
    END IF;
    RETURN NULL;
END
$$;
