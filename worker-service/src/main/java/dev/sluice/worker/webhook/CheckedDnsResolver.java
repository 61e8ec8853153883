package dev.sluice.worker.webhook;

import dev.sluice.common.webhook.IpLiteral;
import dev.sluice.common.webhook.WebhookAddressPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.hc.client5.http.DnsResolver;

/**
 * Resolves a webhook's host once and hands the HTTP client only addresses the policy allows, so that the
 * connection goes to exactly the address that was checked: a name cannot resolve to a public address for the
 * check and to a private one for the connection (DNS rebinding). If any address a name resolves to is refused,
 * the name is refused; so is {@code localhost} or {@code *.localhost}, before any lookup. TLS still sees the host name, for SNI and certificate checks.
 */
final class CheckedDnsResolver implements DnsResolver {

    /** Thrown for a refused address; the sender tells it apart from a name that does not resolve. */
    static final class RefusedAddressException extends UnknownHostException {

        RefusedAddressException(String reason) {
            super(reason);
        }
    }

    private final WebhookAddressPolicy policy;

    CheckedDnsResolver(WebhookAddressPolicy policy) {
        this.policy = policy;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        Optional<InetAddress> literal = IpLiteral.parse(host);
        Optional<String> refusedName = literal.isPresent() ? Optional.empty() : policy.refusalOfName(host);
        if (refusedName.isPresent()) {
            throw new RefusedAddressException(refusedName.get());
        }
        InetAddress[] addresses =
                literal.isPresent() ? new InetAddress[] {literal.get()} : InetAddress.getAllByName(host);
        for (InetAddress address : addresses) {
            Optional<String> refusal = policy.refusal(address);
            if (refusal.isPresent()) {
                throw new RefusedAddressException(host + " resolves to " + refusal.get());
            }
        }
        return addresses;
    }

    @Override
    public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
        return Arrays.stream(resolve(host))
                .map(address -> new InetSocketAddress(address, port))
                .toList();
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        // Never used for webhooks (no Kerberos); answering with the host itself avoids a second, unchecked lookup.
        return host;
    }
}
