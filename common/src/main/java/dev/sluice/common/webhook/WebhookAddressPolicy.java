package dev.sluice.common.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which addresses a webhook may be sent to (SSRF protection). Refused: loopback, private (10/8, 172.16/12,
 * 192.168/16, fc00::/7), link-local (169.254/16, fe80::/10), CGNAT (100.64/10), multicast, unspecified,
 * broadcast and reserved (0/8, 240/4), and cloud metadata endpoints (169.254.169.254, fd00:ec2::254); an IPv6
 * address that carries an IPv4 one (mapped {@code ::ffff:a.b.c.d}, compatible {@code ::a.b.c.d}, SIIT
 * {@code ::ffff:0:a.b.c.d}, NAT64 {@code 64:ff9b::/96} and the local-use NAT64 {@code 64:ff9b:1::/48}, 6to4
 * {@code 2002::/16}) is judged by that IPv4 address, and Teredo (2001::/32) is refused since its IPv4 address
 * cannot be trusted. The names {@code localhost} and {@code *.localhost} (RFC 6761: always loopback) are refused
 * like a loopback literal. With {@code allowPrivate} only metadata endpoints stay refused.
 */
public final class WebhookAddressPolicy {

    private static final byte[] NAT64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    private static final byte[] NAT64_LOCAL = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 1};
    private static final byte[] SIIT = {0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 0, 0};
    /**
     * Where RFC 6052 puts the IPv4 address behind a 48-, 56- and 64-bit NAT64 prefix (byte 8 is always skipped).
     */
    private static final int[][] NAT64_LAYOUTS = {{6, 7, 9, 10}, {7, 9, 10, 11}, {9, 10, 11, 12}};

    private static final byte[] AWS_METADATA_V6 = address("fd00:ec2::254").getAddress();
    private static final byte[] METADATA_V4 = {(byte) 169, (byte) 254, (byte) 169, (byte) 254};

    private final boolean allowPrivate;

    private WebhookAddressPolicy(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** The policy; {@code allowPrivate} ({@code SLUICE_WEBHOOK_ALLOW_PRIVATE}) lifts it for local use and tests. */
    public static WebhookAddressPolicy of(boolean allowPrivate) {
        return new WebhookAddressPolicy(allowPrivate);
    }

    /** Whether private and loopback targets are allowed. */
    public boolean allowsPrivate() {
        return allowPrivate;
    }

    /**
     * Why {@code url} is refused before any lookup, or empty: it must have a host, and a host that is an IP
     * address in any spelling must be allowed. A name is judged later, by the addresses it resolves to.
     */
    public Optional<String> refusalOfUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Optional.of("not a valid URL");
        }
        String host = uri.getHost();
        if (host == null) {
            return Optional.of("the URL has no valid host name");
        }
        Optional<InetAddress> literal = IpLiteral.parse(host);
        if (literal.isEmpty() && host.startsWith("[")) {
            return Optional.of(host + " is not a valid IPv6 address");
        }
        return literal.isPresent() ? refusal(literal.get()) : refusalOfName(host);
    }

    /**
     * Why the host name {@code host} is refused whatever it resolves to, or empty: {@code localhost} and every
     * {@code *.localhost}, in any case and with or without a trailing dot, always mean this machine.
     */
    public Optional<String> refusalOfName(String host) {
        if (allowPrivate) {
            return Optional.empty();
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return Optional.of(host + " is a loopback name");
        }
        return Optional.empty();
    }

    /** Why a webhook may not be sent to {@code address}, or empty when it may. */
    public Optional<String> refusal(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 16) {
            List<InetAddress> embedded = embeddedIpv4(b);
            if (!embedded.isEmpty()) {
                // Any refused reading refuses the address: where a prefix's length is unknown, all are judged.
                return embedded.stream()
                        .map(this::refusal)
                        .flatMap(Optional::stream)
                        .findFirst()
                        .map(reason -> reason + " (inside " + address.getHostAddress() + ")");
            }
        }
        if (Arrays.equals(b, METADATA_V4) || Arrays.equals(b, AWS_METADATA_V6)) {
            return reason("a cloud metadata address", address);
        }
        if (allowPrivate) {
            return Optional.empty();
        }
        return b.length == 4 ? ipv4Refusal(b, address) : ipv6Refusal(b, address);
    }

    private static Optional<String> ipv4Refusal(byte[] b, InetAddress address) {
        int first = b[0] & 0xFF;
        int second = b[1] & 0xFF;
        if (first == 0) {
            return reason("an unspecified ('this network') address", address);
        }
        if (first == 127) {
            return reason("a loopback address", address);
        }
        if (first == 10 || (first == 172 && second >= 16 && second <= 31) || (first == 192 && second == 168)) {
            return reason("a private address", address);
        }
        if (first == 169 && second == 254) {
            return reason("a link-local address", address);
        }
        if (first == 100 && second >= 64 && second <= 127) {
            return reason("a carrier-grade NAT address", address);
        }
        if (first == 192 && second == 0 && (b[2] & 0xFF) == 0) {
            return reason("an IETF protocol address", address);
        }
        if (first >= 224 && first <= 239) {
            return reason("a multicast address", address);
        }
        if (first >= 240) {
            return reason("a reserved or broadcast address", address);
        }
        return Optional.empty();
    }

    private static Optional<String> ipv6Refusal(byte[] b, InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return reason("an unspecified address", address);
        }
        if (address.isLoopbackAddress()) {
            return reason("a loopback address", address);
        }
        int first = b[0] & 0xFF;
        int second = b[1] & 0xFF;
        if ((first & 0xFE) == 0xFC) {
            return reason("a private (unique local) address", address);
        }
        if (first == 0xFE && (second & 0xC0) == 0x80) {
            return reason("a link-local address", address);
        }
        if (first == 0xFE && (second & 0xC0) == 0xC0) {
            return reason("a site-local address", address);
        }
        if (first == 0xFF) {
            return reason("a multicast address", address);
        }
        if (first == 0x20 && second == 0x01 && b[2] == 0 && b[3] == 0) {
            return reason("a Teredo address", address);
        }
        return Optional.empty();
    }

    /**
     * The IPv4 address inside a mapped, compatible, SIIT, NAT64 or 6to4 IPv6 address; empty for any other. In the
     * local-use NAT64 prefix {@code 64:ff9b:1::/48} the operator picks the prefix length: an address whose bytes
     * 6 to 11 are zero is read as a /96 one, any other at the /48, /56 and /64 positions, every reading returned.
     */
    private static List<InetAddress> embeddedIpv4(byte[] b) {
        boolean zeroPrefix = true;
        for (int i = 0; i < 10; i++) {
            zeroPrefix &= b[i] == 0;
        }
        boolean mapped = zeroPrefix && b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
        boolean compatible = zeroPrefix
                && b[10] == 0
                && b[11] == 0
                && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && (b[15] == 0 || b[15] == 1));
        byte[] first12 = Arrays.copyOf(b, 12);
        if (mapped || compatible || Arrays.equals(first12, NAT64) || Arrays.equals(first12, SIIT)) {
            return List.of(ipv4(Arrays.copyOfRange(b, 12, 16)));
        }
        if (Arrays.equals(Arrays.copyOf(b, 6), NAT64_LOCAL)) {
            if (Arrays.equals(Arrays.copyOfRange(b, 6, 12), new byte[6])) {
                return List.of(ipv4(Arrays.copyOfRange(b, 12, 16)));
            }
            List<InetAddress> readings = new ArrayList<>();
            for (int[] layout : NAT64_LAYOUTS) {
                readings.add(ipv4(new byte[] {b[layout[0]], b[layout[1]], b[layout[2]], b[layout[3]]}));
            }
            return readings;
        }
        if (b[0] == 0x20 && b[1] == 0x02) {
            return List.of(ipv4(Arrays.copyOfRange(b, 2, 6)));
        }
        return List.of();
    }

    private static InetAddress ipv4(byte[] bytes) {
        try {
            return Inet4Address.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an address", e);
        }
    }

    private static InetAddress address(String literal) {
        return IpLiteral.parse(literal)
                .filter(Inet6Address.class::isInstance)
                .orElseThrow(() -> new IllegalStateException("not an IPv6 literal: " + literal));
    }

    private static Optional<String> reason(String what, InetAddress address) {
        return Optional.of(address.getHostAddress() + " is " + what);
    }
}
