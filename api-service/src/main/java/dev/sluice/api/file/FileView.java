package dev.sluice.api.file;

import dev.sluice.db.file.FileRow;
import jakarta.annotation.Nullable;

/**
 * OpenAI's file object. Uploads are checked and stored before they are answered, and result files
 * are rendered from their batch's jobs, so every file is {@code processed}; none expires on its own.
 *
 * @param id            {@code file-...}
 * @param object        always {@code file}
 * @param bytes         the content's size
 * @param createdAt     unix seconds
 * @param filename      the name shown to clients
 * @param purpose       {@code batch} or {@code batch_output}
 * @param status        always {@code processed}
 * @param expiresAt     always null
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

    static FileView of(FileRow file) {
        return new FileView(
                file.id(),
                "file",
                file.bytes(),
                file.createdAt().getEpochSecond(),
                file.filename(),
                file.purpose(),
                "processed",
                null,
                null);
    }
}
