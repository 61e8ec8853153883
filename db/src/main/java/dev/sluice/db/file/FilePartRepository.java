package dev.sluice.db.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code file_parts} table: the bytes of uploaded files, written part by part while an upload is
 * read and read back one part per query, so that neither direction ever holds more than one part of a
 * file in memory, and a slow download holds a database connection only while a part is fetched.
 */
@Repository
public class FilePartRepository {

    /** The size of one part; the last part of a file may be shorter. */
    public static final int PART_SIZE = 1024 * 1024;

    private static final String INSERT = """
            INSERT INTO file_parts (file_id, part_no, data) VALUES (:fileId, :partNo, :data)
            """;

    private static final String PART = """
            SELECT data FROM file_parts WHERE file_id = :fileId AND part_no = :partNo
            """;

    private final JdbcClient jdbc;

    public FilePartRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Stores part {@code partNo} of the file; call inside the transaction that records the file. */
    public void insert(String fileId, int partNo, byte[] data) {
        jdbc.sql(INSERT)
                .param("fileId", fileId)
                .param("partNo", partNo)
                .param("data", data)
                .update();
    }

    /**
     * Hands the file's content, its parts concatenated in order, to {@code reader} as one stream and
     * returns what the reader returns. Each part is fetched by its own query when the previous one is used
     * up (in the caller's transaction if there is one), so no cursor or transaction spans the read.
     */
    public <T> T read(String fileId, Function<InputStream, T> reader) {
        try (InputStream content = new PartsStream(partNo -> part(fileId, partNo))) {
            return reader.apply(content);
        } catch (IOException e) {
            throw new UncheckedIOException("reading file " + fileId + " failed", e);
        }
    }

    /** Part {@code partNo} of the file, or null past its last part (parts are numbered from 0 without gaps). */
    private byte[] part(String fileId, int partNo) {
        return jdbc.sql(PART)
                .param("fileId", fileId)
                .param("partNo", partNo)
                .query((rs, n) -> rs.getBytes("data"))
                .optional()
                .orElse(null);
    }

    /** The parts of one file as one stream, fetching the next part only when the current one is used up. */
    private static final class PartsStream extends InputStream {

        private final IntFunction<byte[]> parts;
        private int nextPartNo;
        private byte[] current = new byte[0];
        private int position;

        PartsStream(IntFunction<byte[]> parts) {
            this.parts = parts;
        }

        @Override
        public int read() {
            return available() > 0 || nextPart() ? current[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (length == 0) {
                return 0;
            }
            if (available() == 0 && !nextPart()) {
                return -1;
            }
            int n = Math.min(length, available());
            System.arraycopy(current, position, buffer, offset, n);
            position += n;
            return n;
        }

        @Override
        public int available() {
            return current.length - position;
        }

        private boolean nextPart() {
            for (byte[] part = parts.apply(nextPartNo); part != null; part = parts.apply(nextPartNo)) {
                nextPartNo++;
                current = part;
                position = 0;
                if (current.length > 0) {
                    return true;
                }
            }
            return false;
        }
    }
}
