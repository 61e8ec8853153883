package dev.sluice.api.auth;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How failed admin logins are throttled ({@code sluice.admin-login.*}).
 *
 * @param maxFailures failed admin-key checks one client address may make within {@code window} before every
 *                    further attempt from it gets 429 {@code too_many_failed_logins}
 *                    ({@code SLUICE_ADMIN_LOGIN_MAX_FAILURES}, default 10)
 * @param window      how far back failures count ({@code SLUICE_ADMIN_LOGIN_WINDOW}, default 1m)
 */
@ConfigurationProperties("sluice.admin-login")
record AdminLoginSettings(
        @DefaultValue("10") int maxFailures,
        @DefaultValue("1m") Duration window) {

    AdminLoginSettings {
        if (maxFailures < 1) {
            throw new IllegalArgumentException(
                    "sluice.admin-login.max-failures must be at least 1, got " + maxFailures);
        }
        if (window.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("sluice.admin-login.window must be at least 1s, got " + window);
        }
    }
}
