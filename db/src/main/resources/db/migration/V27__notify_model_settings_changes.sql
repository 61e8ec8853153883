-- Every worker keeps the models' pacing settings (models, model_limits: limits, caps, pause, margin, prompt-token
-- ratio) in memory. Instead of re-reading them every second whether or not anything changed, a worker re-reads them
-- when PostgreSQL announces a change: NOTIFY sluice_models (empty payload, so the notifications of one transaction
-- collapse into one), delivered when the changing transaction commits. Registering a model that is already known
-- (INSERT ... ON CONFLICT DO NOTHING, on every submission) changes no row and announces nothing. A notification
-- missed while a worker's listening connection was down is covered by the worker re-reading the settings when it
-- listens again (docs/architecture.md, "Dispatchers").
CREATE FUNCTION notify_model_settings_changed() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('sluice_models', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER models_notify_changed
    AFTER INSERT OR UPDATE OR DELETE ON models
    FOR EACH ROW
EXECUTE FUNCTION notify_model_settings_changed();

CREATE TRIGGER model_limits_notify_changed
    AFTER INSERT OR UPDATE OR DELETE ON model_limits
    FOR EACH ROW
EXECUTE FUNCTION notify_model_settings_changed();
