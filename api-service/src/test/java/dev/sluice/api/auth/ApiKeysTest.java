package dev.sluice.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class ApiKeysTest {

    @Test
    void keysAndSecretsCarry256RandomBits() {
        String key = ApiKeys.newKey();
        String secret = ApiKeys.newWebhookSecret();

        assertThat(key).startsWith("sk-sluice-").isNotEqualTo(ApiKeys.newKey());
        assertThat(Base64.getUrlDecoder().decode(key.substring("sk-sluice-".length())))
                .hasSize(32);
        assertThat(Base64.getDecoder().decode(secret.substring("whsec_".length())))
                .hasSize(32);
        assertThat(ApiKeys.hash(key)).hasSize(32).isEqualTo(ApiKeys.hash(key));
        assertThat(ApiKeys.displayPrefix(key)).hasSize(14).isEqualTo(key.substring(0, 14));
    }
}
