package dev.sluice.worker.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How long the JDK may keep an idle provider connection: whole seconds under the server's 5 s, an operator's value kept. */
class KeepIdleTest {

    private static final String PROPERTY = "http.keepAlive.time.server";

    private String before;

    @BeforeEach
    void clear() {
        before = System.getProperty(PROPERTY);
        System.clearProperty(PROPERTY);
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(PROPERTY);
        } else {
            System.setProperty(PROPERTY, before);
        }
    }

    @Test
    void theDefaultLookaheadLeavesFourSeconds() {
        UpstreamClient.keepIdleAtMost(Duration.ofSeconds(5).minus(Duration.ofMillis(200)));

        assertThat(System.getProperty(PROPERTY)).isEqualTo("4");
    }

    @Test
    void neverLessThanOneSecond() {
        UpstreamClient.keepIdleAtMost(Duration.ZERO);

        assertThat(System.getProperty(PROPERTY)).isEqualTo("1");
    }

    @Test
    void anOperatorsSettingStands() {
        System.setProperty(PROPERTY, "30");

        UpstreamClient.keepIdleAtMost(Duration.ofMillis(4800));

        assertThat(System.getProperty(PROPERTY)).isEqualTo("30");
    }
}
