package dev.sluice.api.file;

import dev.sluice.db.file.FileRow;
import jakarta.annotation.Nullable;
import java.time.Duration;

/**
 * OpenAI's file object. Uploads are checked and stored before they are answered, and result files
 * are rendered from their batch's jobs, so every file is {@code processed}. Content expires after the retention
 * period ({@code SLUICE_RETENTION}): {@code expires_at} says when, for an upload (from its upload, as OpenAI's batch
 * files) and a batch's output or error file (from the batch's end, when it is made); an inline batch's input file
 * shows null until its batch has ended and it expired. After expiry it is the time the content was removed.
 *
 * @param id            {@code file-...}
 * @param object        always {@code file}
 * @param bytes         the content's size
 * @param createdAt     unix seconds
 * @param filename      the name shown to clients
 * @param purpose       {@code batch} or {@code batch_output}
 * @param status        always {@code processed}
 * @param expiresAt     unix seconds when the content expires or expired; null when not known or never
 * @param statusDetails always null (deprecated by OpenAI, kept for old clients)
 */
record FileView(
        String id,
        String object,
        long bytes,
        long createdAt,
        String filename,
        String purpose,
        String status,
        @Nullable Long expiresAt,
        @Nullable String statusDetails) {

    static FileView of(FileRow file, Duration retention) {
        return new FileView(
                file.id(),
                "file",
                file.bytes(),
                file.createdAt().getEpochSecond(),
                file.filename(),
                file.purpose(),
                "processed",
                expiresAt(file, retention),
                null);
    }

    private static Long expiresAt(FileRow file, Duration retention) {
        if (file.expired()) {
            return file.expiredAt().getEpochSecond();
        }
        boolean upload = file.batchId() == null;
        if (!retention.isPositive() || !(upload || !file.kind().equals("input"))) {
            return null;
        }
        return file.createdAt().plus(retention).getEpochSecond();
    }
}
