package dev.sluice.db.file;

import dev.sluice.db.Timestamps;
import dev.sluice.db.job.JobRows;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.function.IntFunction;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code files} table and the content of the files a batch's jobs make up (its output and error files,
 * and an inline batch's input file), rendered from the jobs on every read, one page of {@value #PAGE_SIZE} jobs
 * per query in line order: a 100,000-line file is never in memory, and no connection or transaction is held
 * while the client reads (a slow reader stalls nobody else). The bytes of uploaded files are in
 * {@link FilePartRepository}.
 * A result file's row is inserted here, in SQL whose {@code ON CONFLICT} settles racing
 * finalisers, without its size: rendering a large batch's results to count their bytes takes seconds, which the batch
 * does not wait for; the file is sized once it is settled ({@link #sizeResultFile}). The api-service records uploads
 * and lists, reads and deletes file rows with JPA ({@link FileEntityRepository}).
 */
@Repository
public class FileRepository {

    private static final String INSERT_RESULT_FILE = """
            INSERT INTO files (id, tenant_id, purpose, filename, bytes, batch_id, kind, created_at)
            VALUES (:id, :tenantId, 'batch_output', :filename, NULL, :batchId, :kind, :now)
            ON CONFLICT (batch_id, kind) WHERE batch_id IS NOT NULL DO NOTHING
            """;

    /** A result file's size, stored once: whoever sizes it first, the value is the same. */
    private static final String SET_RESULT_BYTES = """
            UPDATE files SET bytes = :bytes WHERE id = :id AND bytes IS NULL
            """;

    /**
     * Result files of settled batches recorded long ago and not sized yet: their finaliser stopped between settling
     * and sizing (a recent one is probably being sized by its finaliser now).
     */
    private static final String UNSIZED_RESULT_FILES = """
            SELECT f.id, f.batch_id, f.kind FROM files f JOIN batches b ON b.id = f.batch_id
             WHERE f.bytes IS NULL AND f.created_at < :recordedBefore AND f.expired_at IS NULL
               AND b.status IN ('completed', 'expired', 'cancelled')
             ORDER BY f.created_at
             LIMIT :limit
            """;

    private static final String FIND_RESULT_FILE_ID = """
            SELECT id FROM files WHERE batch_id = :batchId AND kind = :kind
            """;

    /** One page of a result file: the next finished jobs after line {@code afterLine}, by the batch-line index. */
    private static final String RESULTS_PAGE = """
            SELECT * FROM jobs
             WHERE batch_id = :batchId AND line_no > :afterLine AND status IN (:statuses)
             ORDER BY line_no
             LIMIT :limit
            """;

    /** One page of an inline batch's input file, as {@link #RESULTS_PAGE}. */
    private static final String INPUTS_PAGE = """
            SELECT line_no, custom_id, url, body FROM jobs
             WHERE batch_id = :batchId AND line_no > :afterLine
             ORDER BY line_no
             LIMIT :limit
            """;

    /** Jobs read per query while writing a file: bounds the memory of one download. */
    static final int PAGE_SIZE = 250;

    /** Below every line number. */
    private static final int BEFORE_FIRST_LINE = Integer.MIN_VALUE;

    private final JdbcClient jdbc;

    public FileRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records a batch's output or error file, not yet sized, and returns its id; if a racing finaliser recorded it
     * first, returns that file's id instead. Call {@link #sizeResultFile} once the batch is settled.
     */
    public String insertResultFile(
            String id, String tenantId, String batchId, ResultKind kind, String filename, Instant now) {
        jdbc.sql(INSERT_RESULT_FILE)
                .param("id", id)
                .param("tenantId", tenantId)
                .param("filename", filename)
                .param("batchId", batchId)
                .param("kind", kind.fileKind())
                .param("now", Timestamps.bind(now))
                .update();
        return jdbc.sql(FIND_RESULT_FILE_ID)
                .param("batchId", batchId)
                .param("kind", kind.fileKind())
                .query(String.class)
                .single();
    }

    /**
     * Sizes a settled batch's result file by rendering it ({@link #writeResults}, the bytes a download gets) and
     * stores the size unless someone stored it first; returns it. Its jobs are all finished, so the content no longer
     * changes.
     */
    public long sizeResultFile(String fileId, String batchId, ResultKind kind) {
        long bytes = writeResults(batchId, kind, OutputStream.nullOutputStream());
        jdbc.sql(SET_RESULT_BYTES).param("id", fileId).param("bytes", bytes).update();
        return bytes;
    }

    /** Up to {@code limit} result files of settled batches recorded before {@code recordedBefore} and not sized yet. */
    public List<UnsizedFile> unsizedResultFiles(Instant recordedBefore, int limit) {
        return jdbc.sql(UNSIZED_RESULT_FILES)
                .param("recordedBefore", Timestamps.bind(recordedBefore))
                .param("limit", limit)
                .query((rs, n) -> new UnsizedFile(
                        rs.getString("id"), rs.getString("batch_id"), ResultKind.fromFileKind(rs.getString("kind"))))
                .list();
    }

    /** A result file to size: its id, its batch, and which of the batch's jobs it shows. */
    public record UnsizedFile(String id, String batchId, ResultKind kind) {}

    /**
     * Writes the batch's result lines of one kind to {@code out} in line order, one JSON object and
     * a newline per finished job, and returns how many bytes were written. Each page is its own short query;
     * its connection is back in the pool before a byte of it is written.
     */
    public long writeResults(String batchId, ResultKind kind, OutputStream out) {
        return write(
                batchId,
                out,
                afterLine -> jdbc
                        .sql(RESULTS_PAGE)
                        .param("batchId", batchId)
                        .param("afterLine", afterLine)
                        .param("statuses", kind.wireStatuses())
                        .param("limit", PAGE_SIZE)
                        .query(JobRows.MAPPER)
                        .list()
                        .stream()
                        .map(job -> new Line(job.lineNo(), ResultLine.render(job)))
                        .toList());
    }

    /**
     * Writes the input file of an inline batch to {@code out}: one {@link InputLine} and a newline per job,
     * in line order; returns how many bytes were written. Paged as {@link #writeResults}.
     */
    public long writeInputs(String batchId, OutputStream out) {
        return write(
                batchId,
                out,
                afterLine -> jdbc.sql(INPUTS_PAGE)
                        .param("batchId", batchId)
                        .param("afterLine", afterLine)
                        .param("limit", PAGE_SIZE)
                        .query((rs, n) -> new Line(
                                rs.getInt("line_no"),
                                InputLine.render(rs.getString("custom_id"), rs.getString("url"), rs.getString("body"))))
                        .list());
    }

    /** Writes page after page until a short one; a page is read (and its connection returned) before writing. */
    private static long write(String batchId, OutputStream out, IntFunction<List<Line>> pageAfter) {
        long bytes = 0;
        int afterLine = BEFORE_FIRST_LINE;
        try {
            List<Line> page;
            do {
                page = pageAfter.apply(afterLine);
                for (Line line : page) {
                    byte[] text = (line.text() + "\n").getBytes(StandardCharsets.UTF_8);
                    out.write(text);
                    bytes += text.length;
                }
                if (!page.isEmpty()) {
                    afterLine = page.getLast().lineNo();
                }
            } while (page.size() == PAGE_SIZE);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing the file of " + batchId + " failed", e);
        }
        return bytes;
    }

    /** One rendered line of a file and its job's line number, the key of the next page. */
    private record Line(int lineNo, String text) {}
}
