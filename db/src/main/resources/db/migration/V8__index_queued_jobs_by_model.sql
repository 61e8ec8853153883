-- The lost-message sweeper: a model's queued jobs, oldest publication first. Only consulted for a model
-- whose queue the broker reports empty, so it reads few rows in the normal case.
CREATE INDEX jobs_queued_by_model_ix ON jobs (model, published_at) WHERE status = 'queued';
