package dev.sluice.api.auth;

import dev.sluice.db.Listener;
import dev.sluice.db.tenant.KeyNotifications;
import dev.sluice.db.tenant.Tenant;
import dev.sluice.db.tenant.TenantEntityRepository;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Which tenant a live bearer key belongs to, remembered in memory so that a request costs no query for its key.
 *
 * <p>Only keys found live are remembered, by their SHA-256, each for at most {@link KeyCacheSettings#ttl()}; an
 * unknown key is looked up every time, so a new key works at once. Every change to {@code api_keys} or
 * {@code tenants} (V26) is announced on {@code sluice_keys} when it commits, and each replica forgets every key it
 * remembers when it hears it: a revoked key is refused within milliseconds on every replica, and at once on the
 * replica that revoked it ({@link #forgetAll()}). While the listening connection is down no key is taken from memory,
 * and what was remembered before it listens again is forgotten; the time to live bounds only a failure nobody
 * noticed. A lookup that raced a change is not remembered (a generation counter), so a key read just before its
 * revocation committed is not kept after the notification.
 */
@Component
public class TenantKeys implements SmartLifecycle {

    /** At most this many keys are remembered; beyond it every key is forgotten and looked up again. */
    static final int MAX_KEYS = 10_000;

    private record Remembered(Tenant tenant, Instant until) {}

    private final Map<String, Remembered> remembered = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final TenantEntityRepository tenants;
    private final Duration ttl;
    private final Clock clock;
    private final Listener listener;
    private volatile boolean running;

    TenantKeys(TenantEntityRepository tenants, KeyNotifications notifications, KeyCacheSettings settings, Clock clock) {
        this.tenants = tenants;
        this.ttl = settings.ttl();
        this.clock = clock;
        // Changes made while nobody listened were not heard: forget what was remembered before.
        this.listener = notifications.listener("sluice-key-listener", this::forgetAll, this::forgetAll);
    }

    /** The tenant of the live key {@code key}, or empty for an unknown or revoked key. */
    Optional<Tenant> find(String key) {
        byte[] hash = ApiKeys.hash(key);
        if (!listener.listening() || ttl.isZero()) {
            return tenants.findByKeyHash(hash);
        }
        String id = HexFormat.of().formatHex(hash);
        Instant now = clock.instant();
        Remembered known = remembered.get(id);
        if (known != null && now.isBefore(known.until())) {
            return Optional.of(known.tenant());
        }
        long seen = generation.get();
        Optional<Tenant> found = tenants.findByKeyHash(hash);
        if (found.isPresent()) {
            if (remembered.size() >= MAX_KEYS) {
                remembered.clear();
            }
            remembered.put(id, new Remembered(found.get(), now.plus(ttl)));
            if (generation.get() != seen) {
                // A change was heard while this lookup ran: what it read may predate it.
                remembered.remove(id);
            }
        } else {
            remembered.remove(id);
        }
        return found;
    }

    /** Forgets every key: after a change to keys or tenants, here or announced by the database. */
    public void forgetAll() {
        generation.incrementAndGet();
        remembered.clear();
    }

    /** How many keys are remembered (for tests). */
    int size() {
        return remembered.size();
    }

    /** Whether the listening connection listens, so that keys are remembered (for tests). */
    boolean listening() {
        return listener.listening();
    }

    @Override
    public void start() {
        running = true;
        listener.start();
    }

    @Override
    public void stop() {
        running = false;
        listener.stop();
        forgetAll();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
