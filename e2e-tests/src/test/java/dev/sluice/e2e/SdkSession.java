package dev.sluice.e2e;

import com.openai.client.OpenAIClient;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A stack with one worker started once for a test class, one tenant on it, and the SDK pointed at Sluice as that
 * tenant: a static {@code @RegisterExtension} field. The client is closed and the stack stopped after the class.
 */
final class SdkSession implements BeforeAllCallback, AfterAllCallback {

    private final String tenant;
    private final Map<String, String> simulatorEnv;
    private final Map<String, String> sluiceEnv;
    private SluiceStack stack;
    private String key;
    private OpenAIClient client;

    SdkSession(String tenant, Map<String, String> simulatorEnv, Map<String, String> sluiceEnv) {
        this.tenant = tenant;
        this.simulatorEnv = simulatorEnv;
        this.sluiceEnv = sluiceEnv;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        stack = SluiceStack.start(simulatorEnv, sluiceEnv, 1);
        key = stack.newTenantKey(tenant);
        client = Sdk.client(stack, key);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Sdk.stop(client, stack);
    }

    SluiceStack stack() {
        return stack;
    }

    /** The tenant's API key. */
    String key() {
        return key;
    }

    /** The SDK as the tenant. */
    OpenAIClient client() {
        return client;
    }
}
