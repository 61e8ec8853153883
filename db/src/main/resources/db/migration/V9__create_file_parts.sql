-- The bytes of uploaded input files (purpose batch), in parts of about 1 MiB written one by one while
-- the upload is read, so that no replica ever holds a whole file in memory and any api replica can
-- serve any file. Result files (output, error) have no parts: they are rendered from their jobs.
CREATE TABLE file_parts (
    file_id text    NOT NULL,
    -- 0, 1, 2, ... in the order the bytes were uploaded; content is the parts concatenated in this order.
    part_no integer NOT NULL,
    data    bytea   NOT NULL,
    CONSTRAINT file_parts_pk PRIMARY KEY (file_id, part_no),
    -- Deleting a file deletes its bytes; a batch made from it keeps its own copy of every line in its jobs.
    CONSTRAINT file_parts_file_fk FOREIGN KEY (file_id) REFERENCES files (id) ON DELETE CASCADE,
    CONSTRAINT file_parts_part_no_non_negative CHECK (part_no >= 0)
);

-- JSONL is mostly text that compresses well, but compressing 200 MB inside the upload request costs
-- more time than the disk it saves; parts are stored out of line, uncompressed.
ALTER TABLE file_parts ALTER COLUMN data SET STORAGE EXTERNAL;

-- Insertion order, for stable pagination of GET /v1/files in either direction (ids are random and
-- created_at has ties), as batches.seq does for batches. Existing rows are numbered as they are added.
ALTER TABLE files ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE files ADD CONSTRAINT files_seq_uq UNIQUE (seq);

-- GET /v1/files: a tenant's files in seq order, resumed after a cursor.
CREATE INDEX files_tenant_seq_ix ON files (tenant_id, seq);
