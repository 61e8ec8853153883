package dev.sluice.db.file;

import java.time.Instant;

/**
 * A file as stored.
 *
 * @param id        {@code file-...}
 * @param tenantId  its owner
 * @param purpose   {@code batch} or {@code batch_output}
 * @param filename  the name shown to clients
 * @param bytes     its size; null for a batch's output or error file not sized yet
 *                  ({@link FileRepository#sizeResultFile})
 * @param batchId   for output and error files and the input file of an inline batch, the batch whose jobs
 *                  it shows; null for an upload
 * @param kind      {@code input}, {@code output} or {@code error}
 * @param createdAt when it was created
 * @param expiredAt when the retention sweep removed its content (an upload's bytes; a batch file's jobs), or null
 */
public record FileRow(
        String id,
        String tenantId,
        String purpose,
        String filename,
        Long bytes,
        String batchId,
        String kind,
        Instant createdAt,
        Instant expiredAt) {

    /** A file before the retention sweep or without it: {@code expiredAt} null. */
    public FileRow(
            String id,
            String tenantId,
            String purpose,
            String filename,
            Long bytes,
            String batchId,
            String kind,
            Instant createdAt) {
        this(id, tenantId, purpose, filename, bytes, batchId, kind, createdAt, null);
    }

    /** The same file with its size known. */
    public FileRow withBytes(long size) {
        return new FileRow(id, tenantId, purpose, filename, size, batchId, kind, createdAt, expiredAt);
    }

    /** Whether the retention sweep has removed its content. */
    public boolean expired() {
        return expiredAt != null;
    }
}
