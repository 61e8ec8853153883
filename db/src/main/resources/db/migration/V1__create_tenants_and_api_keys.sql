-- A tenant owns batches, jobs and files. Every query a client can trigger is scoped by tenant_id.
CREATE TABLE tenants (
    id             text        NOT NULL,
    name           text        NOT NULL,
    -- Standard Webhooks secret ("whsec_" + base64 of 32 random bytes). Kept in clear because signing
    -- needs it; shown to the operator once, at key creation, and never returned again.
    webhook_secret text        NOT NULL,
    created_at     timestamptz NOT NULL,
    CONSTRAINT tenants_pk PRIMARY KEY (id)
);

-- Bearer keys. Only a SHA-256 of the key is stored: keys are 32 random bytes, so a fast unsalted
-- hash cannot be brute-forced and lets authentication be one indexed lookup.
CREATE TABLE api_keys (
    id         text        NOT NULL,
    tenant_id  text        NOT NULL,
    name       text        NOT NULL,
    key_hash   bytea       NOT NULL,
    -- The key's first characters ("sk-sluice-3f9a"), so that humans can tell keys apart in listings.
    key_prefix text        NOT NULL,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz,
    CONSTRAINT api_keys_pk PRIMARY KEY (id),
    CONSTRAINT api_keys_tenant_fk FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
    CONSTRAINT api_keys_key_hash_uq UNIQUE (key_hash),
    CONSTRAINT api_keys_name_not_blank CHECK (length(btrim(name)) > 0)
);
