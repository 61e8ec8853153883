package dev.sluice.worker;

import dev.sluice.db.SchemaProbe;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Holds the worker back until the schema exists. The api-service runs the migrations; a worker started
 * at the same moment (docker compose, a fresh database) must neither crash nor run Flyway itself.
 */
@Component
class SchemaGate {

    private static final Logger log = LoggerFactory.getLogger(SchemaGate.class);

    private static final Duration POLL = Duration.ofSeconds(2);

    private final SchemaProbe schema;

    SchemaGate(SchemaProbe schema) {
        this.schema = schema;
    }

    /** Returns once the schema is there, polling every two seconds and saying so while it waits. */
    void await() throws InterruptedException {
        for (int polls = 0; ; polls++) {
            try {
                schema.checkWorkerSchema();
                if (polls > 0) {
                    log.info("Database schema found; starting work");
                }
                return;
            } catch (DataAccessException e) {
                // Every 10 s rather than every poll: one clear line, not a flood.
                if (polls % 5 == 0) {
                    log.info(
                            "Waiting for the database schema (the api-service runs the migrations): {}",
                            rootMessage(e));
                }
            }
            Thread.sleep(POLL);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String message = String.valueOf(root.getMessage());
        return message.lines().findFirst().orElse(message);
    }
}
