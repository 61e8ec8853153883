package dev.sluice.db.batch;

/**
 * What the operator's batch search matches; every field is optional and they combine with AND.
 *
 * @param id            the batch id, exactly
 * @param tenantId      the owning tenant
 * @param metadataKey   a metadata key the batch must have; with {@code metadataValue}, the pair must match exactly
 * @param metadataValue a metadata value; without a key, any key's value containing it (case-insensitive) matches
 */
public record BatchSearch(String id, String tenantId, String metadataKey, String metadataValue) {}
