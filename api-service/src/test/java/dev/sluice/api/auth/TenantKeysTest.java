package dev.sluice.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.sluice.api.SettableClock;
import dev.sluice.db.tenant.KeyNotifications;
import dev.sluice.db.tenant.Tenant;
import dev.sluice.db.tenant.TenantEntityRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TenantKeysTest {

    private static final Tenant TENANT = new Tenant("tenant_1", "t", "whsec_x");
    private static final Duration TTL = Duration.ofSeconds(10);

    private final TenantEntityRepository tenants = mock(TenantEntityRepository.class);
    private final HeldNotifications notifications = new HeldNotifications();
    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-04T12:00:00Z"));
    private final TenantKeys keys = new TenantKeys(tenants, notifications, new KeyCacheSettings(TTL), clock);

    @AfterEach
    void stop() {
        if (keys.isRunning()) {
            keys.stop();
        }
    }

    @Test
    void aLiveKeyIsLookedUpOnceUntilItsTimeRunsOut() {
        listening();
        when(tenants.findByKeyHash(any())).thenReturn(Optional.of(TENANT));

        assertThat(keys.find("sk-sluice-a")).contains(TENANT);
        assertThat(keys.find("sk-sluice-a")).contains(TENANT);
        verify(tenants, times(1)).findByKeyHash(any());

        clock.advance(TTL);
        assertThat(keys.find("sk-sluice-a")).contains(TENANT);
        verify(tenants, times(2)).findByKeyHash(any());
    }

    @Test
    void aChangeHeardForgetsEveryKey() {
        listening();
        when(tenants.findByKeyHash(any())).thenReturn(Optional.of(TENANT));
        keys.find("sk-sluice-a");
        keys.find("sk-sluice-b");
        assertThat(keys.size()).isEqualTo(2);

        notifications.announce();

        assertThat(keys.size()).isZero();
        when(tenants.findByKeyHash(any())).thenReturn(Optional.empty());
        assertThat(keys.find("sk-sluice-a")).isEmpty();
    }

    @Test
    void aLookupThatRacesAChangeIsNotRemembered() {
        listening();
        // The revocation is heard while the lookup that read the key as live is still running.
        when(tenants.findByKeyHash(any())).thenAnswer(invocation -> {
            notifications.announce();
            return Optional.of(TENANT);
        });

        assertThat(keys.find("sk-sluice-a")).contains(TENANT);

        assertThat(keys.size()).isZero();
    }

    @Test
    void anUnknownKeyIsLookedUpEveryTime() {
        listening();
        when(tenants.findByKeyHash(any())).thenReturn(Optional.empty());

        assertThat(keys.find("sk-sluice-nope")).isEmpty();
        assertThat(keys.find("sk-sluice-nope")).isEmpty();

        verify(tenants, times(2)).findByKeyHash(any());
    }

    @Test
    void withoutAListeningConnectionEveryKeyIsLookedUp() {
        when(tenants.findByKeyHash(any())).thenReturn(Optional.of(TENANT));

        keys.find("sk-sluice-a");
        keys.find("sk-sluice-a");

        verify(tenants, times(2)).findByKeyHash(any());
        assertThat(keys.size()).isZero();
    }

    @Test
    void aRevocationHereIsForgottenAtOnce() {
        listening();
        when(tenants.findByKeyHash(any())).thenReturn(Optional.of(TENANT));
        keys.find("sk-sluice-a");

        keys.forgetAll();
        when(tenants.findByKeyHash(any())).thenReturn(Optional.empty());

        assertThat(keys.find("sk-sluice-a")).isEmpty();
    }

    private void listening() {
        keys.start();
        await().atMost(Duration.ofSeconds(5)).until(keys::listening);
    }

    /** A listening connection that stays up until stopped and announces a change when told. */
    private static final class HeldNotifications extends KeyNotifications {

        private volatile Runnable changed;

        HeldNotifications() {
            super(null);
        }

        @Override
        public void listen(BooleanSupplier running, int pollMillis, Runnable listening, Runnable changed) {
            this.changed = changed;
            listening.run();
            while (running.getAsBoolean()) {
                LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
            }
        }

        void announce() {
            changed.run();
        }
    }
}
