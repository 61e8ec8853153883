-- Each api replica remembers which tenant a bearer key belongs to (docs/tenants.md, "API keys"), so that a request
-- does not look its key up. Any change to a key or a tenant (a revocation, a rotated webhook secret, new settings)
-- rings sluice_keys when its transaction commits, and every replica listening forgets every key it remembers: a
-- revoked key is refused on every replica within milliseconds. Statement-level, so a statement changing many rows
-- rings once; keys and tenants change rarely, so forgetting them all costs one lookup per key afterwards.
CREATE FUNCTION notify_keys_changed() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('sluice_keys', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

CREATE TRIGGER api_keys_notify_changed
    AFTER UPDATE OR DELETE ON api_keys
    FOR EACH STATEMENT
EXECUTE FUNCTION notify_keys_changed();

CREATE TRIGGER tenants_notify_changed
    AFTER UPDATE OR DELETE ON tenants
    FOR EACH STATEMENT
EXECUTE FUNCTION notify_keys_changed();
