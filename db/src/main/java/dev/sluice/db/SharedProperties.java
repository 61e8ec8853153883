package dev.sluice.db;

import dev.sluice.common.Limit;
import dev.sluice.common.secret.SecretsSettings;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code sluice.*} settings both services read, defined once here and bound by each of them (environment:
 * {@code SLUICE_*}); each service's own settings are in its own properties record. Checked when bound, so a bad
 * value stops the service at start with a message naming the property.
 *
 * @param defaultLimit {@code SLUICE_DEFAULT_LIMIT}: the limit of a model with no other, {@code N/Ws} or
 *                     {@code N/Wm} (parsed by {@link Limit#parse}), default {@code 15/60s}
 * @param secrets      {@code sluice.secrets.encryption-key}: how tenants' webhook secrets are encrypted at rest
 *                     (the api-service encrypts, the worker decrypts; both need the same key)
 */
@ConfigurationProperties("sluice")
public record SharedProperties(
        @DefaultValue("15/60s") Limit defaultLimit,
        @DefaultValue SecretsSettings secrets) {

    public SharedProperties {
        Objects.requireNonNull(defaultLimit, "sluice.default-limit");
        Objects.requireNonNull(secrets, "sluice.secrets");
    }
}
