package dev.sluice.common.webhook;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads a URL's host as an IP address when it is one, in every spelling a resolver might accept: IPv6 in
 * brackets, and IPv4 as {@code inet_aton} reads it (one to four parts, each decimal, octal with a leading
 * {@code 0} or hex with {@code 0x}, the last filling the remaining bytes), so that {@code 2130706433},
 * {@code 0x7f.1}, {@code 127.1} and {@code 0177.0.0.1} are all 127.0.0.1. A host that is none of these is a name.
 */
public final class IpLiteral {

    private IpLiteral() {}

    /** The address {@code host} spells, or empty when it is a name to resolve. */
    public static Optional<InetAddress> parse(String host) {
        if (host == null || host.isEmpty()) {
            return Optional.empty();
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            return ipv6(host.substring(1, host.length() - 1));
        }
        if (host.indexOf(':') >= 0) {
            return ipv6(host);
        }
        // A single trailing dot names the same host ("127.0.0.1." resolves like "127.0.0.1").
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        return ipv4(name.toLowerCase(Locale.ROOT));
    }

    private static Optional<InetAddress> ipv6(String text) {
        // Only hex digits, colons, dots (an embedded IPv4) and a zone: nothing InetAddress would look up.
        if (text.isEmpty() || !text.matches("[0-9A-Fa-f:.]+(%[0-9A-Za-z._\\-]+)?")) {
            return Optional.empty();
        }
        // A zone (fe80::1%eth0) only picks an interface; the address without it is what gets judged.
        int zone = text.indexOf('%');
        try {
            return Optional.of(InetAddress.getByName(zone < 0 ? text : text.substring(0, zone)));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    private static Optional<InetAddress> ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length > 4) {
            return Optional.empty();
        }
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            Long value = number(parts[i]);
            if (value == null) {
                return Optional.empty();
            }
            values[i] = value;
        }
        long address = 0;
        for (int i = 0; i < values.length - 1; i++) {
            if (values[i] > 0xFF) {
                return Optional.empty();
            }
            address |= values[i] << (8 * (3 - i));
        }
        long last = values[values.length - 1];
        int lastBytes = 4 - (values.length - 1);
        if (last >= (1L << (8 * lastBytes))) {
            return Optional.empty();
        }
        address |= last;
        byte[] bytes = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an address", e);
        }
    }

    /** One part: decimal, {@code 0}-prefixed octal or {@code 0x}-prefixed hex; null when it is none of them. */
    private static Long number(String part) {
        try {
            if (part.startsWith("0x")) {
                String hex = part.substring(2);
                return hex.isEmpty() ? 0L : bounded(Long.parseLong(hex, 16), hex.length() <= 8);
            }
            if (part.length() > 1 && part.startsWith("0")) {
                return bounded(Long.parseLong(part.substring(1), 8), part.length() <= 12);
            }
            return bounded(Long.parseLong(part, 10), part.length() <= 10);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long bounded(long value, boolean shortEnough) {
        return shortEnough && value >= 0 && value <= 0xFFFF_FFFFL ? value : null;
    }
}
