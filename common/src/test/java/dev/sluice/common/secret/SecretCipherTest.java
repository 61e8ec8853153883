package dev.sluice.common.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretCipherTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String KEY = newKey();
    private static final SecretCipher CIPHER = SecretCipher.of(KEY);

    @Test
    void aSealedSecretOpensToItselfForItsTenant() {
        String sealed = CIPHER.seal("tenant_a", SECRET);

        assertThat(sealed)
                .startsWith(SecretCipher.PREFIX)
                .doesNotContain(SECRET)
                .doesNotContain("MfKQ9r8G");
        assertThat(SecretCipher.isEncrypted(sealed)).isTrue();
        assertThat(CIPHER.open("tenant_a", sealed)).isEqualTo(SECRET);
        // The same key, loaded again (another replica, the worker), reads it too.
        assertThat(SecretCipher.of(" " + KEY + "\n").open("tenant_a", sealed)).isEqualTo(SECRET);
    }

    @Test
    void eachSealUsesAFreshNonce() {
        assertThat(CIPHER.seal("tenant_a", SECRET)).isNotEqualTo(CIPHER.seal("tenant_a", SECRET));
    }

    @Test
    void anAlteredValueIsRefused() {
        String sealed = CIPHER.seal("tenant_a", SECRET);
        byte[] bytes = Base64.getDecoder().decode(sealed.substring(SecretCipher.PREFIX.length()));
        for (int i : new int[] {0, 12, bytes.length - 1}) {
            byte[] altered = bytes.clone();
            altered[i] ^= 1;
            String tampered = SecretCipher.PREFIX + Base64.getEncoder().encodeToString(altered);
            assertThatThrownBy(() -> CIPHER.open("tenant_a", tampered))
                    .isInstanceOf(UnreadableSecretException.class)
                    .hasMessageContaining("tenant_a");
        }
        assertThatThrownBy(() -> CIPHER.open("tenant_a", SecretCipher.PREFIX + "AAAA"))
                .isInstanceOf(UnreadableSecretException.class);
        assertThatThrownBy(() -> CIPHER.open("tenant_a", SecretCipher.PREFIX + "not base64!"))
                .isInstanceOf(UnreadableSecretException.class);
    }

    @Test
    void aValueCopiedToAnotherTenantsRowIsRefused() {
        String sealed = CIPHER.seal("tenant_a", SECRET);

        assertThatThrownBy(() -> CIPHER.open("tenant_b", sealed))
                .isInstanceOf(UnreadableSecretException.class)
                .hasMessageContaining("tenant_b")
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void anotherKeyOrNoKeyCannotOpenAnEncryptedValue() {
        String sealed = CIPHER.seal("tenant_a", SECRET);

        assertThatThrownBy(() -> SecretCipher.of(newKey()).open("tenant_a", sealed))
                .isInstanceOf(UnreadableSecretException.class)
                .hasMessageContaining("another key");
        assertThatThrownBy(() -> SecretCipher.clear().open("tenant_a", sealed))
                .isInstanceOf(UnreadableSecretException.class)
                .hasMessageContaining("SLUICE_SECRETS_ENCRYPTION_KEY");
    }

    @Test
    void clearValuesPassThroughAndAreStoredInClearWithoutAKey() {
        assertThat(CIPHER.open("tenant_a", SECRET)).isEqualTo(SECRET);
        assertThat(SecretCipher.clear().open("tenant_a", SECRET)).isEqualTo(SECRET);
        assertThat(SecretCipher.clear().seal("tenant_a", SECRET)).isEqualTo(SECRET);
        assertThat(SecretCipher.of("  ").encrypts()).isFalse();
        assertThat(SecretCipher.of(null).encrypts()).isFalse();
        assertThat(SecretCipher.isEncrypted(SECRET)).isFalse();
    }

    @Test
    void aKeyThatIsNotBase64Of32BytesIsRefusedWithoutBeingRepeated() {
        String short16 = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> SecretCipher.of(short16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 bytes, got 16")
                .hasMessageNotContaining(short16);
        assertThatThrownBy(() -> SecretCipher.of("not-base64-at-all!"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid base64")
                .hasMessageNotContaining("not-base64-at-all!");
        assertThatThrownBy(() -> new SecretsSettings(short16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("sluice.secrets.encryption-key (SLUICE_SECRETS_ENCRYPTION_KEY)");
    }

    @Test
    void theKeyIsNeverPrinted() {
        assertThat(CIPHER.toString()).doesNotContain(KEY).contains("***");
        assertThat(new SecretsSettings(KEY).toString()).doesNotContain(KEY).contains("***");
        assertThat(new SecretsSettings("").toString()).contains("unset");
        assertThat(new SecretsSettings("").cipher().encrypts()).isFalse();
    }

    @Test
    void withoutAKeyAServiceWarnsAtStartThatSecretsAreStoredUnencryptedAndHowToSetTheKey() {
        assertThat(new SecretsSettings(null).startupWarning())
                .hasValueSatisfying(warning -> assertThat(warning)
                        .contains("stored unencrypted", "SLUICE_SECRETS_ENCRYPTION_KEY", "openssl rand -base64 32"));
        assertThat(new SecretsSettings(" ").startupWarning()).isPresent();
        assertThat(new SecretsSettings(KEY).startupWarning()).isEmpty();
    }

    private static String newKey() {
        byte[] key = new byte[SecretCipher.KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }
}
