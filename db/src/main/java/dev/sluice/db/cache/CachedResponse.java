package dev.sluice.db.cache;

/**
 * A provider's successful answer kept in the response cache.
 *
 * @param responseStatus   its HTTP status (2xx)
 * @param responseBody     its body as received
 * @param promptTokens     from its {@code usage}, or null
 * @param completionTokens from its {@code usage}, or null
 * @param totalTokens      from its {@code usage}, or null
 */
public record CachedResponse(
        int responseStatus, String responseBody, Integer promptTokens, Integer completionTokens, Integer totalTokens) {}
