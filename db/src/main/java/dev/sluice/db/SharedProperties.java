package dev.sluice.db;

import dev.sluice.common.Limit;
import dev.sluice.common.secret.SecretsSettings;
import java.util.List;
import java.util.Objects;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code sluice.*} settings both services read, defined once here and bound by each of them (environment:
 * {@code SLUICE_*}); each service's own settings are in its own properties record. Checked when bound, so a bad
 * value stops the service at start with a message naming the property.
 *
 * @param defaultLimit     {@code SLUICE_DEFAULT_LIMIT}: the limits of a model an operator set none for, a comma
 *                         list of {@code N/W} and {@code N tokens/W} (parsed by {@link Limit#parseList}), default
 *                         {@code 15/60s}; e.g. {@code 500/1m, 10000/1d, 200000 tokens/1m}
 * @param defaultMaxTokens {@code SLUICE_DEFAULT_MAX_TOKENS}: the tokens reserved against a token limit for the
 *                         answer of a request that names no {@code max_tokens} (a model may override it), default
 *                         1024
 * @param secrets          {@code sluice.secrets.encryption-key}: how tenants' webhook secrets are encrypted at rest
 *                         (the api-service encrypts, the worker decrypts; both need the same key)
 */
@ConfigurationProperties("sluice")
public record SharedProperties(
        @DefaultValue("15/60s") String defaultLimit,
        @DefaultValue("1024") int defaultMaxTokens,
        @DefaultValue SecretsSettings secrets) {

    public SharedProperties {
        Objects.requireNonNull(defaultLimit, "sluice.default-limit");
        Objects.requireNonNull(secrets, "sluice.secrets");
        try {
            Limit.parseList(defaultLimit);
        } catch (IllegalArgumentException e) {
            // The message says it all; the parser's stack would only hide the property's name.
            throw new IllegalArgumentException("sluice.default-limit (SLUICE_DEFAULT_LIMIT): " + e.getMessage());
        }
        if (defaultMaxTokens < 0) {
            throw new IllegalArgumentException(
                    "sluice.default-max-tokens (SLUICE_DEFAULT_MAX_TOKENS) is at least 0, got " + defaultMaxTokens);
        }
    }

    /** The default limits, parsed. */
    public List<Limit> defaultLimits() {
        return Limit.parseList(defaultLimit);
    }
}
