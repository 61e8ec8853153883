package dev.sluice.api.auth;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How an api replica remembers which tenant a bearer key belongs to ({@code sluice.key-cache.*}, {@link TenantKeys}).
 *
 * @param ttl how long a key found live is taken from memory before it is looked up again
 *            ({@code SLUICE_KEY_CACHE_TTL}, default 10s; {@code 0} looks every request's key up). A revocation or a
 *            tenant change reaches every replica at once through PostgreSQL's {@code NOTIFY}; this only bounds how
 *            long a change could go unseen should that fail unnoticed. At most 5m
 */
@ConfigurationProperties("sluice.key-cache")
record KeyCacheSettings(@DefaultValue("10s") Duration ttl) {

    KeyCacheSettings {
        if (ttl.isNegative() || ttl.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("SLUICE_KEY_CACHE_TTL must be between 0 and 5m, got " + ttl);
        }
    }
}
