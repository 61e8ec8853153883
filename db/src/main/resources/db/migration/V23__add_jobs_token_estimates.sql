-- What each job is expected to cost against a token limit, estimated at submission (docs/pacing.md, "Token
-- budgets"): its prompt's tokens and the most its answer may use (null: the request names no max_tokens, and the
-- model's default applies). Carried in the job's message so the pacer can reserve it before the job is read, and
-- kept so /admin/usage can show the estimator's error beside the provider's usage. Null on jobs stored earlier.
ALTER TABLE jobs
    ADD COLUMN prompt_tokens_estimate integer,
    ADD COLUMN max_output_tokens      integer,
    ADD CONSTRAINT jobs_token_estimate_non_negative
        CHECK ((prompt_tokens_estimate IS NULL OR prompt_tokens_estimate >= 0)
               AND (max_output_tokens IS NULL OR max_output_tokens >= 0));
