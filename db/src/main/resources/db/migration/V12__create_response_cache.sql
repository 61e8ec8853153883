-- Answers to deterministic requests (embeddings; chat and completions with temperature 0 or a seed), so that
-- asking again costs no provider call and no rate-limit slot. Keyed per tenant: one tenant's answers are
-- never served to another.
CREATE TABLE response_cache (
    tenant_id         text        NOT NULL,
    -- SHA-256 of the endpoint path, a newline and the body as canonical JSON (keys sorted, no spaces,
    -- "stream" and "stream_options" left out), so key order and whitespace do not matter.
    key               bytea       NOT NULL,
    url               text        NOT NULL,
    response_status   integer     NOT NULL,
    response_body     text        NOT NULL,
    prompt_tokens     integer,
    completion_tokens integer,
    total_tokens      integer,
    created_at        timestamptz NOT NULL,
    expires_at        timestamptz NOT NULL,
    CONSTRAINT response_cache_pk PRIMARY KEY (tenant_id, key),
    CONSTRAINT response_cache_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT response_cache_key_is_sha256 CHECK (length(key) = 32),
    -- Only successes are kept: a refusal or an error is worth asking again.
    CONSTRAINT response_cache_success_only CHECK (response_status BETWEEN 200 AND 299),
    CONSTRAINT response_cache_expires_after_created CHECK (expires_at > created_at)
);

-- The purge of expired entries.
CREATE INDEX response_cache_expires_ix ON response_cache (expires_at);

-- Whether a job's result came from the cache instead of the provider.
ALTER TABLE jobs ADD COLUMN cached boolean NOT NULL DEFAULT false;
