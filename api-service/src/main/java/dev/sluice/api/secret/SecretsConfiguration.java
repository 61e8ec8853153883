package dev.sluice.api.secret;

import dev.sluice.api.ApiProperties;
import dev.sluice.common.secret.SecretCipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link SecretCipher} new webhook secrets are stored with: encrypted under {@code SLUICE_SECRETS_ENCRYPTION_KEY},
 * or in clear without it, which a WARN at start says.
 */
@Configuration(proxyBeanMethods = false)
class SecretsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecretsConfiguration.class);

    @Bean
    SecretCipher secretCipher(ApiProperties properties) {
        properties.secrets().startupWarning().ifPresent(log::warn);
        return properties.secrets().cipher();
    }
}
