package dev.sluice.db.idempotency;

import java.time.Instant;

/**
 * A stored Idempotency-Key: the object a tenant's request with that key created.
 *
 * @param objectId    the batch or job created
 * @param requestHash SHA-256 of that request
 * @param createdAt   when; the key is remembered for 24 h from here
 */
public record IdempotencyRecord(String objectId, byte[] requestHash, Instant createdAt) {}
