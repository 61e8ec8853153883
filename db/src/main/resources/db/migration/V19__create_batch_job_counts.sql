-- A batch's job counts and token usage, kept by a trigger on jobs so that polling a batch reads a few
-- rows instead of counting its jobs (docs/architecture.md, "How a batch's counts are kept").
--
-- One row per (batch, model, shard); a batch's counts are the sum of its rows. The trigger adds each
-- statement's net change to the shard picked by its transaction id, so two workers finishing jobs of
-- the same batch at once usually write different rows instead of queueing on one. A transaction writes
-- one shard per (batch, model) whatever its statements, and each statement writes its rows in
-- (batch, model) order. Rows of a shard may go negative (a job queued in one shard and claimed in
-- another); only the sums mean something. The trigger runs in the transaction that changes the jobs, so
-- at every commit the sums equal a count of the jobs, whatever statement changed them.
CREATE TABLE batch_job_counts (
    batch_id          text     NOT NULL,
    -- Per model, for the batch's estimated completion (how much work of its models goes before it).
    model             text     NOT NULL,
    shard             smallint NOT NULL,
    queued            integer  NOT NULL DEFAULT 0,
    running           integer  NOT NULL DEFAULT 0,
    succeeded         integer  NOT NULL DEFAULT 0,
    failed            integer  NOT NULL DEFAULT 0,
    cancelled         integer  NOT NULL DEFAULT 0,
    expired           integer  NOT NULL DEFAULT 0,
    prompt_tokens     bigint   NOT NULL DEFAULT 0,
    completion_tokens bigint   NOT NULL DEFAULT 0,
    total_tokens      bigint   NOT NULL DEFAULT 0,
    CONSTRAINT batch_job_counts_pk PRIMARY KEY (batch_id, model, shard),
    CONSTRAINT batch_job_counts_batch_fk FOREIGN KEY (batch_id) REFERENCES batches (id) ON DELETE CASCADE
);

-- A statement's jobs of one (batch, model) in one state, before (negative) or after (positive) it ran.
CREATE TYPE job_count_change AS (batch_id text, model text, status text, jobs bigint, prompt_tokens bigint,
                                 completion_tokens bigint, total_tokens bigint);

-- Adds a statement's changes, net per (batch, model), to the shard rows, in (batch, model) order;
-- a (batch, model) whose counts and tokens did not change is not written.
CREATE FUNCTION add_batch_job_counts(p_shard smallint, p_changes job_count_change[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO batch_job_counts AS c (batch_id, model, shard, queued, running, succeeded, failed, cancelled,
                                       expired, prompt_tokens, completion_tokens, total_tokens)
    SELECT * FROM (
        SELECT batch_id, model, p_shard,
               coalesce(sum(jobs) FILTER (WHERE status = 'queued'), 0) AS queued,
               coalesce(sum(jobs) FILTER (WHERE status = 'running'), 0) AS running,
               coalesce(sum(jobs) FILTER (WHERE status = 'succeeded'), 0) AS succeeded,
               coalesce(sum(jobs) FILTER (WHERE status = 'failed'), 0) AS failed,
               coalesce(sum(jobs) FILTER (WHERE status = 'cancelled'), 0) AS cancelled,
               coalesce(sum(jobs) FILTER (WHERE status = 'expired'), 0) AS expired,
               coalesce(sum(prompt_tokens), 0) AS prompt,
               coalesce(sum(completion_tokens), 0) AS completion,
               coalesce(sum(total_tokens), 0) AS total
          FROM unnest(p_changes)
         GROUP BY batch_id, model) AS delta
     WHERE queued <> 0 OR running <> 0 OR succeeded <> 0 OR failed <> 0 OR cancelled <> 0 OR expired <> 0
        OR prompt <> 0 OR completion <> 0 OR total <> 0
     ORDER BY batch_id, model
    ON CONFLICT (batch_id, model, shard) DO UPDATE
       SET queued = c.queued + excluded.queued, running = c.running + excluded.running,
           succeeded = c.succeeded + excluded.succeeded, failed = c.failed + excluded.failed,
           cancelled = c.cancelled + excluded.cancelled, expired = c.expired + excluded.expired,
           prompt_tokens = c.prompt_tokens + excluded.prompt_tokens,
           completion_tokens = c.completion_tokens + excluded.completion_tokens,
           total_tokens = c.total_tokens + excluded.total_tokens
$$;

-- Once per statement, with the statement's rows before (old_jobs) and after (new_jobs), grouped per
-- (batch, model, status) before anything is written: a bulk statement (a batch's 50,000 jobs copied in, or
-- cancelled) writes one row per (batch, model), not one per job, and one that changes no status or tokens
-- (marking jobs published, say) writes nothing. A delete skips batches deleted with it (their rows go with
-- them by the foreign key).
CREATE FUNCTION count_batch_jobs() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    shard smallint := CAST(CAST(CAST(pg_current_xact_id() AS text) AS bigint) % 16 AS smallint);
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM add_batch_job_counts(shard, ARRAY(
            SELECT CAST(ROW(batch_id, model, status, count(*), sum(prompt_tokens), sum(completion_tokens),
                            sum(total_tokens)) AS job_count_change)
              FROM new_jobs WHERE batch_id IS NOT NULL GROUP BY batch_id, model, status));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM add_batch_job_counts(shard, ARRAY(
            SELECT CAST(ROW(batch_id, model, status, count(*), sum(prompt_tokens), sum(completion_tokens),
                            sum(total_tokens)) AS job_count_change)
              FROM new_jobs WHERE batch_id IS NOT NULL GROUP BY batch_id, model, status
             UNION ALL
            SELECT CAST(ROW(batch_id, model, status, -count(*), -sum(prompt_tokens), -sum(completion_tokens),
                            -sum(total_tokens)) AS job_count_change)
              FROM old_jobs WHERE batch_id IS NOT NULL GROUP BY batch_id, model, status));
    ELSE
        PERFORM add_batch_job_counts(shard, ARRAY(
            SELECT CAST(ROW(batch_id, model, status, -count(*), -sum(prompt_tokens), -sum(completion_tokens),
                            -sum(total_tokens)) AS job_count_change)
              FROM old_jobs WHERE batch_id IN (SELECT id FROM batches) GROUP BY batch_id, model, status));
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_count_inserts AFTER INSERT ON jobs REFERENCING NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION count_batch_jobs();
CREATE TRIGGER jobs_count_updates AFTER UPDATE ON jobs REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION count_batch_jobs();
CREATE TRIGGER jobs_count_deletes AFTER DELETE ON jobs REFERENCING OLD TABLE AS old_jobs
    FOR EACH STATEMENT EXECUTE FUNCTION count_batch_jobs();

-- The existing batches, counted once into shard 0. CREATE TRIGGER above locks jobs against writes until
-- this migration commits, so nothing changes between the count and the trigger taking over.
INSERT INTO batch_job_counts (batch_id, model, shard, queued, running, succeeded, failed, cancelled, expired,
                              prompt_tokens, completion_tokens, total_tokens)
SELECT batch_id, model, 0,
       count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'running'),
       count(*) FILTER (WHERE status = 'succeeded'), count(*) FILTER (WHERE status = 'failed'),
       count(*) FILTER (WHERE status = 'cancelled'), count(*) FILTER (WHERE status = 'expired'),
       coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), coalesce(sum(total_tokens), 0)
  FROM jobs WHERE batch_id IS NOT NULL
 GROUP BY batch_id, model;

-- The batch estimate's share of single jobs (POST /v1/jobs, the facade): their unfinished ones by model,
-- without reading the batch jobs of the same model.
CREATE INDEX jobs_single_unfinished_ix ON jobs (model, priority, created_at)
    WHERE batch_id IS NULL AND status IN ('queued', 'running');
