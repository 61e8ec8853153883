package dev.sluice.db.file;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The {@code file_parts} table: the bytes of uploaded files, written part by part while an upload is
 * read and read back part by part through a server-side cursor, so that neither direction ever holds
 * more than one part of a file in memory.
 */
@Repository
public class FilePartRepository {

    /** The size of one part; the last part of a file may be shorter. */
    public static final int PART_SIZE = 1024 * 1024;

    private static final String INSERT = """
            INSERT INTO file_parts (file_id, part_no, data) VALUES (:fileId, :partNo, :data)
            """;

    private static final String PARTS = """
            SELECT data FROM file_parts WHERE file_id = :fileId ORDER BY part_no
            """;

    /** Parts fetched per round trip: each is up to a mebibyte. */
    private static final int FETCH_SIZE = 2;

    private final JdbcClient jdbc;
    private final JdbcClient streaming;

    public FilePartRepository(JdbcClient jdbc, DataSource dataSource) {
        this.jdbc = jdbc;
        JdbcTemplate template = new JdbcTemplate(dataSource);
        template.setFetchSize(FETCH_SIZE);
        this.streaming = JdbcClient.create(template);
    }

    /** Stores part {@code partNo} of the file; call inside the transaction that records the file. */
    public void insert(String fileId, int partNo, byte[] data) {
        jdbc.sql(INSERT).param("fileId", fileId).param("partNo", partNo).param("data", data).update();
    }

    /**
     * Hands the file's content, its parts concatenated in order, to {@code reader} as one stream and
     * returns what the reader returns. The stream is only valid inside the call: the transaction keeps
     * the cursor open, as PostgreSQL streams only inside one.
     */
    @Transactional(readOnly = true)
    public <T> T read(String fileId, Function<InputStream, T> reader) {
        try (Stream<byte[]> parts = streaming.sql(PARTS).param("fileId", fileId)
                .query((rs, n) -> rs.getBytes("data")).stream();
                InputStream content = new PartsStream(parts.iterator())) {
            return reader.apply(content);
        } catch (IOException e) {
            throw new UncheckedIOException("reading file " + fileId + " failed", e);
        }
    }

    /** The parts of one file as one stream, fetching the next part only when the current one is used up. */
    private static final class PartsStream extends InputStream {

        private final Iterator<byte[]> parts;
        private byte[] current = new byte[0];
        private int position;

        PartsStream(Iterator<byte[]> parts) {
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
            while (parts.hasNext()) {
                current = parts.next();
                position = 0;
                if (current.length > 0) {
                    return true;
                }
            }
            return false;
        }
    }
}
