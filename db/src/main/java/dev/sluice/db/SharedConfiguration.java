package dev.sluice.db;

import dev.sluice.common.Limit;
import dev.sluice.common.secret.SecretCipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.converter.Converter;

/**
 * What both services configure the same way, from {@link SharedProperties}: the one {@code N/Ws} converter
 * every {@link Limit} setting is bound with, and the {@link SecretCipher} tenants' webhook secrets are sealed
 * and opened with (in clear without {@code SLUICE_SECRETS_ENCRYPTION_KEY}, which a WARN at start says).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SharedProperties.class)
class SharedConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SharedConfiguration.class);

    /** Binds {@code N/Ws} text such as {@code SLUICE_DEFAULT_LIMIT=15/60s}. Static: binding needs it before any bean. */
    @Bean
    @ConfigurationPropertiesBinding
    static Converter<String, Limit> limitConverter() {
        return new LimitConverter();
    }

    @Bean
    SecretCipher secretCipher(SharedProperties properties) {
        properties.secrets().startupWarning().ifPresent(log::warn);
        return properties.secrets().cipher();
    }

    /** A class, not a lambda, so that the conversion service can read its generic types. */
    static final class LimitConverter implements Converter<String, Limit> {
        @Override
        public Limit convert(String source) {
            return Limit.parse(source);
        }
    }
}
