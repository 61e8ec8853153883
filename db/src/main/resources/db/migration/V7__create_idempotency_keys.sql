-- Idempotency-Key of POST /v1/batches, POST /v1/batches/{id}/retry and POST /v1/jobs: which object a
-- tenant's key created, so that a repeated request returns that object instead of a second one.
-- The row is inserted in the transaction that stores the object, so a key never points at an object
-- that was not stored, and the primary key decides between two requests racing with one key.
CREATE TABLE idempotency_keys (
    tenant_id    text        NOT NULL,
    -- The header value as the client sent it (1-255 printable ASCII characters).
    key          text        NOT NULL,
    -- What the key created: 'batch' or 'job'. Part of the key, so a key is per endpoint family.
    object_type  text        NOT NULL,
    -- SHA-256 of the request (the exact body bytes; for a retry, its path). The same key with a
    -- different hash is a different request and is refused.
    request_hash bytea       NOT NULL,
    object_id    text        NOT NULL,
    -- A key is remembered for 24 h from here; after that the next request with it replaces the row.
    created_at   timestamptz NOT NULL,
    CONSTRAINT idempotency_keys_pk PRIMARY KEY (tenant_id, key, object_type),
    CONSTRAINT idempotency_keys_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT idempotency_keys_object_type_known CHECK (object_type IN ('batch', 'job')),
    CONSTRAINT idempotency_keys_key_length CHECK (char_length(key) BETWEEN 1 AND 255),
    CONSTRAINT idempotency_keys_request_hash_sha256 CHECK (octet_length(request_hash) = 32)
);
