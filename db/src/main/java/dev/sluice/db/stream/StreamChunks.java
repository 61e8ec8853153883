package dev.sluice.db.stream;

import java.nio.charset.StandardCharsets;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Relays a streaming job's chunks from the worker that calls the provider to the api instance whose caller
 * waits: {@code NOTIFY sluice_job_chunks, '<job id> <chunk JSON>'}. Sent outside any transaction, so each is
 * delivered at once and in order; the job's end still comes from the row ({@code sluice_job_finished}).
 */
@Repository
public class StreamChunks {

    /** The channel the api instances listen on. */
    public static final String CHANNEL = "sluice_job_chunks";

    /** PostgreSQL refuses payloads of 8,000 bytes or more; a chunk that large is not relayed. */
    public static final int MAX_PAYLOAD_BYTES = 7_900;

    private static final String NOTIFY_CHUNK = """
            SELECT pg_notify('sluice_job_chunks', :payload)
            """;

    private final JdbcClient jdbc;

    public StreamChunks(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Relays one chunk of {@code jobId}; false, sending nothing, when it is too large to relay. */
    public boolean send(String jobId, String chunkJson) {
        String payload = jobId + " " + chunkJson;
        if (payload.getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD_BYTES) {
            return false;
        }
        jdbc.sql(NOTIFY_CHUNK).param("payload", payload).query((rs, n) -> 0).list();
        return true;
    }
}
