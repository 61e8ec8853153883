package dev.sluice.testsupport;

/**
 * The secrets encryption key every test context and test process runs with, so that tenants' webhook secrets
 * are encrypted at rest in tests as in production. A fixed, public value: for tests only.
 */
public final class TestSecrets {

    /** {@code SLUICE_SECRETS_ENCRYPTION_KEY} for tests: base64 of 32 bytes. */
    public static final String ENCRYPTION_KEY = "c2x1aWNlLXRlc3Qtc2VjcmV0cy1rZXktMzItYnl0ZXM=";

    private TestSecrets() {}
}
