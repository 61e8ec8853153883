package dev.sluice.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testsupport.TestInfrastructure;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** A listening connection of its own, on {@link ListeningSockets}, hears every notification, each one in turn. */
@SpringBootTest(classes = DbTestApplication.class)
class ListeningIT {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestInfrastructure.register(registry);
    }

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcClient jdbc;

    @Test
    void everyNotificationIsHeardInOrderWhetherSentAloneOrTogether() throws Exception {
        LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch listening = new CountDownLatch(1);
        Thread listener = Thread.ofVirtual()
                .start(() -> Listening.listen(
                        dataSource,
                        List.of("listening_probe"),
                        running::get,
                        1_000,
                        listening::countDown,
                        notification -> heard.add(notification.getParameter())));
        try {
            assertThat(listening.await(10, TimeUnit.SECONDS)).isTrue();

            notify("one");
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("one");
            notify("two");
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("two");
            // Two in one transaction arrive back to back: the look for a pending message finds the second.
            jdbc.sql("SELECT pg_notify('listening_probe', 'three'), pg_notify('listening_probe', 'four')")
                    .query()
                    .listOfRows();
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("three");
            assertThat(heard.poll(10, TimeUnit.SECONDS)).isEqualTo("four");
            assertThat(heard).isEmpty();
        } finally {
            running.set(false);
            listener.join(5_000);
        }
    }

    private void notify(String payload) {
        jdbc.sql("SELECT pg_notify('listening_probe', :payload)")
                .param("payload", payload)
                .query()
                .listOfRows();
    }
}
