-- Quota checks that refuse inside the statement that counts (docs/tenants.md, "Quotas").
--
-- A single job or facade call was stored in two round trips: the job's insert with the tenant's lock and its counts,
-- read by the api, which refused over a quota or sent the rest (the call's lease, its lane's entry, the commit). With
-- this function the counting statement refuses itself, raising SQLSTATE 'SQ429' with the quota, its limit, what is
-- in use and what was asked for in the detail ('<quota> <limit> <used> <requested>'), so the whole transaction goes
-- in one round trip: a refusal skips the statements after it, and the transaction rolls back.
--
-- The quotas are checked in the order given; the first one exceeded is the one reported.
CREATE FUNCTION refuse_over_quotas(p_quotas text[], p_limits bigint[], p_used bigint[], p_requested bigint[])
    RETURNS boolean
    LANGUAGE plpgsql AS
$$
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_quotas, 1), 0) LOOP
        IF p_used[i] + p_requested[i] > p_limits[i] THEN
            RAISE EXCEPTION 'quota % exceeded', p_quotas[i]
                USING ERRCODE = 'SQ429',
                      DETAIL = p_quotas[i] || ' ' || p_limits[i] || ' ' || p_used[i] || ' ' || p_requested[i];
        END IF;
    END LOOP;
    RETURN true;
END;
$$;
