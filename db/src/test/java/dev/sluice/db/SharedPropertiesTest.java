package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.common.Limit;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class SharedPropertiesTest {

    @Test
    void theDefaultLimitIs15Per60sAndIsReadFromTheEnvironment() {
        assertThat(bind(Map.of()).defaultLimits()).containsExactly(Limit.parse("15/60s"));
        assertThat(bind(Map.of("SLUICE_DEFAULT_LIMIT", "500/1m")).defaultLimits())
                .containsExactly(new Limit(500, Duration.ofMinutes(1)));
        assertThatThrownBy(() -> bind(Map.of("SLUICE_DEFAULT_LIMIT", "fast")))
                .rootCause()
                .hasMessageContaining("SLUICE_DEFAULT_LIMIT")
                .hasMessageContaining("N/W");
    }

    @Test
    void theDefaultLimitIsAListOfRequestAndTokenWindows() {
        SharedProperties properties = bind(
                Map.of("SLUICE_DEFAULT_LIMIT", "15/60s, 1000/1d, 30000 tokens/1m", "SLUICE_DEFAULT_MAX_TOKENS", "256"));

        assertThat(properties.defaultLimits())
                .containsExactly(
                        new Limit(15, Duration.ofSeconds(60)),
                        new Limit(1000, Duration.ofDays(1)),
                        Limit.tokens(30_000, Duration.ofMinutes(1)));
        assertThat(properties.defaultMaxTokens()).isEqualTo(256);
        assertThatThrownBy(() -> bind(Map.of("SLUICE_DEFAULT_LIMIT", "15/60s, 20/1m")))
                .rootCause()
                .hasMessageContaining("same unit and window");
        assertThatThrownBy(() -> bind(Map.of("SLUICE_DEFAULT_MAX_TOKENS", "-1")))
                .rootCause()
                .hasMessageContaining("SLUICE_DEFAULT_MAX_TOKENS");
    }

    @Test
    void theSecretsEncryptionKeyIsOptionalCheckedAndNeverPrinted() {
        assertThat(bind(Map.of()).secrets().cipher().encrypts()).isFalse();
        String key = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

        SharedProperties properties = bind(Map.of("SLUICE_SECRETS_ENCRYPTION_KEY", key));

        assertThat(properties.secrets().cipher().encrypts()).isTrue();
        assertThat(properties.toString()).doesNotContain(key).contains("encryptionKey=***");
        assertThatThrownBy(() -> bind(Map.of("SLUICE_SECRETS_ENCRYPTION_KEY", "c2hvcnQ=")))
                .rootCause()
                .hasMessageContaining("sluice.secrets.encryption-key (SLUICE_SECRETS_ENCRYPTION_KEY): the secrets "
                        + "encryption key must be base64 of 32 bytes, got 5 bytes");
        assertThatThrownBy(() -> bind(Map.of("SLUICE_SECRETS_ENCRYPTION_KEY", "not base64!")))
                .rootCause()
                .hasMessageContaining("not valid base64");
    }

    private static SharedProperties bind(Map<String, Object> environment) {
        // Named as the real one, so that SLUICE_DEFAULT_LIMIT maps to sluice.default-limit.
        var variables = new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment);
        ApplicationConversionService conversion = new ApplicationConversionService();
        conversion.addConverter(new SharedConfiguration.LimitConverter());
        Binder binder = new Binder(ConfigurationPropertySources.from(variables), null, conversion);
        return binder.bindOrCreate("sluice", Bindable.of(SharedProperties.class));
    }
}
