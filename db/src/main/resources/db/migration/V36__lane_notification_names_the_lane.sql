-- A lane that enters names itself in its notification: '<model>\n<tenant id>\n<stamp>', where the stamp is the
-- lane's published_at in microseconds since the epoch (it changes whenever a publisher touches the lane). A worker
-- woken from idle asks the broker for the lane's first message while it waits for the model's lanes lock, and
-- trusts that message's count of the ones behind it only if the lane's stamp, read under the lock, is still the one
-- it was rung with (docs/pacing.md, "Dispatch"). V25 sent the model alone; a worker parses both forms.
CREATE OR REPLACE FUNCTION notify_lane_entered() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    PERFORM pg_notify('sluice_lanes',
                      NEW.model || E'\n' || NEW.tenant_id || E'\n'
                          || (extract(epoch FROM NEW.published_at) * 1000000)::bigint);
    RETURN NULL;
END;
$$;
