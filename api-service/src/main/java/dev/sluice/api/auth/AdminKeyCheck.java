package dev.sluice.api.auth;

import dev.sluice.api.ApiProperties;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * The one check of {@code SLUICE_ADMIN_KEY}, for every surface that takes it ({@code /admin/**},
 * {@code /actuator/**} and any sign-in form): the presented key and the admin key are both hashed and compared
 * in constant time, so neither content nor length leaks through timing; and failed attempts are throttled per
 * client address: after {@code sluice.admin-login.max-failures} failures within {@code sluice.admin-login.window}
 * every attempt from that address is {@link Throttled}, the right key included, until the oldest failure has
 * left the window. A success forgets the address's failures. At most {@value #MAX_ADDRESSES} addresses are
 * remembered; beyond that the one whose last failure is oldest is forgotten first.
 */
@Component
public class AdminKeyCheck {

    static final int MAX_ADDRESSES = 10_000;

    /** What a presented admin key gets. */
    public sealed interface Outcome permits Accepted, Refused, Throttled, Disabled {}

    /** The admin key: go on. */
    public record Accepted() implements Outcome {}

    /** Not the admin key (this failure has been counted against the address). */
    public record Refused() implements Outcome {}

    /**
     * Too many failures from this address: answer 429 {@code too_many_failed_logins} with this
     * {@code Retry-After}; the key was not even compared.
     *
     * @param retryAfter when the address may try again, at least one second
     */
    public record Throttled(Duration retryAfter) implements Outcome {}

    /** No admin key is configured, so none is accepted: the admin surfaces are off. */
    public record Disabled() implements Outcome {}

    private final byte[] adminKeyHash;
    private final AdminLoginSettings settings;
    private final Clock clock;
    private final Map<String, Deque<Instant>> failures = new HashMap<>();

    AdminKeyCheck(ApiProperties properties, AdminLoginSettings settings, Clock clock) {
        this.adminKeyHash = properties.adminEnabled() ? ApiKeys.hash(properties.adminKey()) : null;
        this.settings = settings;
        this.clock = clock;
    }

    /** Whether an admin key is configured at all. */
    public boolean enabled() {
        return adminKeyHash != null;
    }

    /**
     * Checks {@code presented} (null or empty when the client sent none, which is refused without counting)
     * from {@code clientAddress} (the request's remote address).
     */
    public Outcome check(String presented, String clientAddress) {
        if (adminKeyHash == null) {
            return new Disabled();
        }
        if (presented == null || presented.isEmpty()) {
            return new Refused();
        }
        boolean matches = MessageDigest.isEqual(ApiKeys.hash(presented), adminKeyHash);
        Instant now = clock.instant();
        // One lock from the count to the record, so that parallel guesses cannot all pass a count taken before
        // any of them failed.
        synchronized (failures) {
            Deque<Instant> recent = recentFailures(clientAddress, now);
            if (recent != null && recent.size() >= settings.maxFailures()) {
                Duration wait = Duration.between(now, recent.peekFirst().plus(settings.window()));
                return new Throttled(wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait);
            }
            if (matches) {
                failures.remove(clientAddress);
                return new Accepted();
            }
            if (recent == null && failures.size() >= MAX_ADDRESSES) {
                makeRoom(now);
            }
            failures.computeIfAbsent(clientAddress, address -> new ArrayDeque<>())
                    .addLast(now);
            return new Refused();
        }
    }

    /** How many addresses have failures remembered (for tests of the bound). */
    int trackedAddresses() {
        synchronized (failures) {
            return failures.size();
        }
    }

    /** The address's failures still inside the window, older ones dropped; null when it has none. */
    private Deque<Instant> recentFailures(String clientAddress, Instant now) {
        Deque<Instant> recent = failures.get(clientAddress);
        if (recent == null) {
            return null;
        }
        Instant cutoff = now.minus(settings.window());
        while (!recent.isEmpty() && !recent.peekFirst().isAfter(cutoff)) {
            recent.removeFirst();
        }
        if (recent.isEmpty()) {
            failures.remove(clientAddress);
            return null;
        }
        return recent;
    }

    private void makeRoom(Instant now) {
        Instant cutoff = now.minus(settings.window());
        failures.values().removeIf(recent -> !recent.peekLast().isAfter(cutoff));
        if (failures.size() >= MAX_ADDRESSES) {
            failures.entrySet().stream()
                    .min(Comparator.comparing(entry -> entry.getValue().peekLast()))
                    .ifPresent(oldest -> failures.remove(oldest.getKey()));
        }
    }
}
