package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.dispatch.UnpublishedJobSweeper;
import dev.sluice.testsupport.TestInfrastructure;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * When the broker refuses every publish (here: this run's vhost loses its permissions), a batch is
 * still accepted and stored, and the sweeper publishes it once the broker takes messages again.
 */
class BrokerRefusalIT extends ApiTestBase {

    @Autowired
    UnpublishedJobSweeper sweeper;

    @Test
    void batchIsAcceptedWhileTheBrokerRefusesAndPublishedByTheSweeperLater() throws Exception {
        String key = newTenantKey();
        String model = uniqueModel("refused");
        String vhost = TestInfrastructure.broker().virtualHost();
        String user = TestInfrastructure.broker().username();
        String id;
        rabbitmqctl("clear_permissions", "-p", vhost, user);
        try {
            id = createBatch(key, aChatBatch().requests(3, model).json());
        } finally {
            rabbitmqctl("set_permissions", "-p", vhost, user, ".*", ".*", ".*");
        }
        assertThat(unpublishedOfBatch(id)).isEqualTo(3);

        // The connection factory may need a moment to replace the channel the refusal closed.
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    sweeper.runOnce();
                    assertThat(unpublishedOfBatch(id)).isZero();
                });
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(queueDepth(model)).isEqualTo(3L));
    }

    private static void rabbitmqctl(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("rabbitmqctl", "-q"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }
}
