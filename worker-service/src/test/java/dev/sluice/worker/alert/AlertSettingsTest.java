package dev.sluice.worker.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.worker.WorkerProperties.Alerts;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AlertSettingsTest {

    private static final Duration AGE = Duration.ofMinutes(15);
    private static final Duration EVERY = Duration.ofSeconds(30);

    @Test
    void unsetOrEmptyMeansOff() {
        assertThat(new Alerts(null, AGE, EVERY).enabled()).isFalse();
        // docker compose passes SLUICE_ALERTS_WEBHOOK_URL= when the variable is not set.
        assertThat(new Alerts(URI.create(""), AGE, EVERY).enabled()).isFalse();
    }

    @Test
    void onlyAbsoluteHttpUrlsAreTaken() {
        assertThat(new Alerts(URI.create("https://hooks.example.com/services/T0/B0/x"), AGE, EVERY).enabled())
                .isTrue();
        assertThatThrownBy(() -> new Alerts(URI.create("/hooks/x"), AGE, EVERY))
                .hasMessageContaining("sluice.alerts.webhook-url");
        assertThatThrownBy(() -> new Alerts(URI.create("ftp://example.com/x"), AGE, EVERY))
                .hasMessageContaining("sluice.alerts.webhook-url");
        assertThatThrownBy(() -> new Alerts(null, Duration.ZERO, EVERY)).hasMessageContaining("backlog-age");
    }

    @Test
    void theUrlNeverReachesALog() {
        String printed =
                new Alerts(URI.create("https://hooks.example.com/services/T0/B0/secret-token"), AGE, EVERY).toString();
        assertThat(printed).doesNotContain("secret-token").doesNotContain("hooks.example.com");
    }
}
