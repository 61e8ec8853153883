package dev.sluice.worker.webhook;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.common.webhook.WebhookAddressPolicy;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The delivery-time check refuses loopback names and embedded addresses without trusting the resolver. */
class CheckedDnsResolverTest {

    private final CheckedDnsResolver resolver = new CheckedDnsResolver(WebhookAddressPolicy.of(false));

    @ParameterizedTest(name = "{0} is refused")
    @ValueSource(
            strings = {
                "LOCALHOST.",
                "hooks.localhost",
                "a.b.Localhost.",
                "no-such-name.localhost",
                "[::ffff:0:127.0.0.1]",
                "64:ff9b:1::a00:1"
            })
    void refusesLoopbackNamesAndEmbeddedPrivateAddresses(String host) {
        assertThatThrownBy(() -> resolver.resolve(host)).isInstanceOf(CheckedDnsResolver.RefusedAddressException.class);
    }
}
