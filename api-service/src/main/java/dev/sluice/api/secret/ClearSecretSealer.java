package dev.sluice.api.secret;

import dev.sluice.common.secret.SecretCipher;
import dev.sluice.db.tenant.StoredWebhookSecrets;
import dev.sluice.db.tenant.TenantRepository;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Encrypts, once the api-service starts with a secrets encryption key, the webhook secrets stored in clear before
 * the key was configured. Each value is replaced only if it is still the clear value read (compare-and-set), so
 * the pass is idempotent, safe with several api replicas starting at once, and never undoes a rotation that
 * raced it. A failure is logged and leaves the clear values readable; the next start tries again.
 */
@Component
public class ClearSecretSealer implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(ClearSecretSealer.class);
    private static final int PAGE = 500;

    private final TenantRepository tenants;
    private final SecretCipher cipher;

    ClearSecretSealer(TenantRepository tenants, SecretCipher cipher) {
        this.tenants = tenants;
        this.cipher = cipher;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!cipher.encrypts()) {
            return;
        }
        try {
            int sealed = runOnce();
            if (sealed > 0) {
                log.info("Encrypted {} webhook secrets that were stored in clear", sealed);
            }
        } catch (RuntimeException e) {
            log.warn(
                    "Encrypting the webhook secrets stored in clear failed; they stay readable and the next start "
                            + "tries again",
                    e);
        }
    }

    /** Encrypts every secret stored in clear; returns how many values this call replaced (0 without a key). */
    public int runOnce() {
        if (!cipher.encrypts()) {
            return 0;
        }
        int sealed = 0;
        String after = "";
        for (List<StoredWebhookSecrets> page = tenants.findClearWebhookSecrets(SecretCipher.PREFIX, after, PAGE);
                !page.isEmpty();
                page = tenants.findClearWebhookSecrets(SecretCipher.PREFIX, after, PAGE)) {
            for (StoredWebhookSecrets stored : page) {
                String id = stored.tenantId();
                String current = stored.webhookSecret();
                if (!SecretCipher.isEncrypted(current)
                        && tenants.replaceWebhookSecret(id, current, cipher.seal(id, current))) {
                    sealed++;
                }
                String previous = stored.previousWebhookSecret();
                if (previous != null
                        && !SecretCipher.isEncrypted(previous)
                        && tenants.replacePreviousWebhookSecret(id, previous, cipher.seal(id, previous))) {
                    sealed++;
                }
                after = id;
            }
        }
        return sealed;
    }
}
