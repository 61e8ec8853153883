-- Files in OpenAI's sense. Output and error files of a batch hold no bytes of their own: their
-- content is rendered from the batch's jobs on read, streamed in line order, so a 100,000-line
-- result is never held in memory nor stored twice.
CREATE TABLE files (
    id         text        NOT NULL,
    tenant_id  text        NOT NULL,
    purpose    text        NOT NULL,
    filename   text        NOT NULL,
    bytes      bigint      NOT NULL,
    -- For batch_output files: the batch and which of its jobs the file shows.
    batch_id   text,
    kind       text        NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT files_pk PRIMARY KEY (id),
    CONSTRAINT files_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT files_batch_fk FOREIGN KEY (batch_id) REFERENCES batches (id) ON DELETE CASCADE,
    CONSTRAINT files_purpose_known CHECK (purpose IN ('batch', 'batch_output')),
    -- output: the succeeded jobs; error: every other terminal job.
    CONSTRAINT files_kind_known CHECK (kind IN ('input', 'output', 'error')),
    CONSTRAINT files_output_has_batch CHECK (kind = 'input' OR batch_id IS NOT NULL),
    CONSTRAINT files_bytes_non_negative CHECK (bytes >= 0)
);

CREATE INDEX files_tenant_created_ix ON files (tenant_id, created_at DESC);
-- One output and one error file per batch, even if two finalisers race.
CREATE UNIQUE INDEX files_batch_kind_uq ON files (batch_id, kind) WHERE batch_id IS NOT NULL;
