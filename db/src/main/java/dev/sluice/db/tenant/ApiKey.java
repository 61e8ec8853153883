package dev.sluice.db.tenant;

import java.time.Instant;

/**
 * An API key as listed to operators: never the key itself, only its recognisable prefix.
 *
 * @param id        the key's id ({@code key_...})
 * @param tenantId  the tenant the key acts for
 * @param name      the operator's name for it
 * @param keyPrefix the first characters of the key
 * @param createdAt when it was created
 * @param revokedAt when it was revoked, or null while it works
 */
public record ApiKey(String id, String tenantId, String name, String keyPrefix, Instant createdAt, Instant revokedAt) {}
