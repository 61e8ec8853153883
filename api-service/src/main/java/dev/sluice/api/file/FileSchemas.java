package dev.sluice.api.file;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The multipart form of {@code POST /v1/files} as the API description shows it ({@link UploadForm} reads it).
 */
final class FileSchemas {

    private FileSchemas() {}

    /** OpenAI's upload form. */
    @Schema(name = "UploadFileRequest")
    record Upload(
            @Schema(type = "string", format = "binary", description = "JSONL, UTF-8, one request object per line")
            String file,

            @Schema(allowableValues = "batch") String purpose) {}
}
