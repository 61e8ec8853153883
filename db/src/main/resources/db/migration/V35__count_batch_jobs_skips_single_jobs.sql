-- The counting trigger of V32, leaving at once when a statement touched no batch's job: a facade call's or a single
-- job's insert, claim and finish. V32's version still ran its two grouping queries over the transition tables to find
-- nothing to count, ~0.09 ms of PostgreSQL's time per statement, three times on a facade call's path (storing, claim,
-- finish); the early test costs ~0.02 ms (docs/benchmarks.md). Same counts, same rows written. Deletes are counted as
-- before (a purge of single jobs is rare and off any caller's path).
CREATE OR REPLACE FUNCTION count_batch_jobs() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    changes job_count_change[];
BEGIN
    -- A statement on no batch's job leaves at once. (Each test in its own branch: a transition table is known only
    -- to the operation that has it, and PL/pgSQL plans a condition whole.)
    IF TG_OP = 'INSERT' THEN
        IF NOT EXISTS (SELECT FROM new_jobs WHERE batch_id IS NOT NULL) THEN
            RETURN NULL;
        END IF;
        changes := ARRAY(
            SELECT CAST(ROW(batch_id, model, status, count(*), sum(prompt_tokens), sum(completion_tokens),
                            sum(total_tokens)) AS job_count_change)
              FROM new_jobs WHERE batch_id IS NOT NULL GROUP BY batch_id, model, status);
    ELSIF TG_OP = 'UPDATE' THEN
        IF NOT EXISTS (SELECT FROM new_jobs WHERE batch_id IS NOT NULL)
           AND NOT EXISTS (SELECT FROM old_jobs WHERE batch_id IS NOT NULL) THEN
            RETURN NULL;
        END IF;
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
