package dev.sluice.worker.webhook;

import dev.sluice.common.secret.SecretCipher;
import dev.sluice.worker.WorkerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link SecretCipher} tenants' webhook secrets are decrypted with before signing; without
 * {@code SLUICE_SECRETS_ENCRYPTION_KEY} it reads only secrets stored in clear, and a WARN at start says so.
 */
@Configuration(proxyBeanMethods = false)
class SecretsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecretsConfiguration.class);

    @Bean
    SecretCipher secretCipher(WorkerProperties properties) {
        properties.secrets().startupWarning().ifPresent(log::warn);
        return properties.secrets().cipher();
    }
}
