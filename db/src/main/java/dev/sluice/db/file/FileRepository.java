package dev.sluice.db.file;

import dev.sluice.db.Timestamps;
import dev.sluice.db.job.JobRows;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The {@code files} table and the content of the files a batch's jobs make up (its output and error files,
 * and an inline batch's input file), rendered from the jobs on every read and streamed with a server-side
 * cursor: a 100,000-line file is never in memory. The bytes of uploaded files are in
 * {@link FilePartRepository}. A result file's row is inserted here, in SQL whose {@code ON CONFLICT} settles racing
 * finalisers; the api-service records uploads and lists, reads and deletes file rows with JPA
 * ({@link FileEntityRepository}).
 */
@Repository
public class FileRepository {

    private static final String INSERT_RESULT_FILE = """
            INSERT INTO files (id, tenant_id, purpose, filename, bytes, batch_id, kind, created_at)
            VALUES (:id, :tenantId, 'batch_output', :filename, :bytes, :batchId, :kind, :now)
            ON CONFLICT (batch_id, kind) WHERE batch_id IS NOT NULL DO NOTHING
            """;

    private static final String FIND_RESULT_FILE_ID = """
            SELECT id FROM files WHERE batch_id = :batchId AND kind = :kind
            """;

    private static final String RESULTS = """
            SELECT * FROM jobs WHERE batch_id = :batchId AND status IN (:statuses) ORDER BY line_no
            """;

    private static final String INPUTS = """
            SELECT custom_id, url, body FROM jobs WHERE batch_id = :batchId ORDER BY line_no
            """;

    /** Rows fetched per round trip while streaming results. */
    private static final int FETCH_SIZE = 500;

    private final JdbcClient jdbc;
    private final JdbcClient streaming;

    FileRepository(JdbcClient jdbc, DataSource dataSource) {
        this.jdbc = jdbc;
        JdbcTemplate template = new JdbcTemplate(dataSource);
        template.setFetchSize(FETCH_SIZE);
        this.streaming = JdbcClient.create(template);
    }

    /**
     * Records a batch's output or error file and returns its id; if a racing finaliser recorded it
     * first, returns that file's id instead.
     */
    public String insertResultFile(String id, String tenantId, String batchId, ResultKind kind, String filename,
            long bytes, Instant now) {
        jdbc.sql(INSERT_RESULT_FILE)
                .param("id", id).param("tenantId", tenantId).param("filename", filename).param("bytes", bytes)
                .param("batchId", batchId).param("kind", kind.fileKind()).param("now", Timestamps.bind(now))
                .update();
        return jdbc.sql(FIND_RESULT_FILE_ID).param("batchId", batchId).param("kind", kind.fileKind())
                .query(String.class).single();
    }

    /**
     * Writes the batch's result lines of one kind to {@code out} in line order, one JSON object and
     * a newline per finished job, and returns how many bytes were written. The transaction keeps the
     * cursor open; PostgreSQL streams only inside one.
     */
    @Transactional(readOnly = true)
    public long writeResults(String batchId, ResultKind kind, OutputStream out) {
        try (Stream<String> lines = streaming.sql(RESULTS).param("batchId", batchId)
                .param("statuses", kind.wireStatuses())
                .query(JobRows.MAPPER).stream().map(ResultLine::render)) {
            return write(lines, out, batchId);
        }
    }

    /**
     * Writes the input file of an inline batch to {@code out}: one {@link InputLine} and a newline per job,
     * in line order; returns how many bytes were written. The transaction keeps the cursor open.
     */
    @Transactional(readOnly = true)
    public long writeInputs(String batchId, OutputStream out) {
        try (Stream<String> lines = streaming.sql(INPUTS).param("batchId", batchId)
                .query((rs, n) -> InputLine.render(rs.getString("custom_id"), rs.getString("url"),
                        rs.getString("body")))
                .stream()) {
            return write(lines, out, batchId);
        }
    }

    private static long write(Stream<String> lines, OutputStream out, String batchId) {
        long bytes = 0;
        try {
            for (String text : (Iterable<String>) lines::iterator) {
                byte[] line = (text + "\n").getBytes(StandardCharsets.UTF_8);
                out.write(line);
                bytes += line.length;
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing the file of " + batchId + " failed", e);
        }
        return bytes;
    }
}
