-- A batch's output and error files are recorded when the batch settles and sized right after it: their bytes are
-- rendered from the jobs, which takes seconds for a 100,000-line batch, and the batch no longer waits for that
-- (docs/architecture.md, the flow's "Finalise"). Until then bytes is null, for those files only; whoever reads the file
-- object first, or the finaliser's sweep, sizes it.
ALTER TABLE files ALTER COLUMN bytes DROP NOT NULL;
ALTER TABLE files ADD CONSTRAINT files_bytes_known CHECK (bytes IS NOT NULL OR kind IN ('output', 'error'));
CREATE INDEX files_unsized_ix ON files (created_at) WHERE bytes IS NULL;
