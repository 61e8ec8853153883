package dev.sluice.api.batch;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.job.JobRequest;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonInput;
import dev.sluice.api.web.PageQuery;
import dev.sluice.common.Endpoint;
import dev.sluice.db.file.FileEntityRepository;
import dev.sluice.db.file.FilePartRepository;
import dev.sluice.db.file.FileRow;
import dev.sluice.db.tenant.Tenant;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The requests of a batch given by {@code input_file_id}: the tenant's uploaded file is streamed from
 * the database line by line, and each line goes through the same checks as an inline request
 * ({@link BatchLines}) and is handed on at once to be stored, so that no more than a line (and the
 * custom_ids seen) is held in memory whatever the file's size. The first bad line is a 400 whose
 * {@code param} names it by its 1-based line number in the file ({@code line[3].custom_id}); as the lines
 * are stored inside the batch's transaction, that rolls back everything stored before it. A line longer than
 * {@code sluice.input.max-line-size} (possible in files uploaded before that limit) is such a 400 too, found
 * without reading the line whole ({@link BoundedLines}).
 */
@Component
class InputFileLines {

    /** Some Windows editors start UTF-8 files with one; the upload check allows it. */
    private static final String BYTE_ORDER_MARK = "\uFEFF";

    private final FileEntityRepository files;
    private final FilePartRepository parts;
    private final ApiProperties.Input limits;
    private final RequestChecks checks;

    InputFileLines(
            FileEntityRepository files, FilePartRepository parts, ApiProperties properties, RequestChecks checks) {
        this.checks = checks;
        this.files = files;
        this.parts = parts;
        this.limits = properties.input();
    }

    /** Refuses (404 or 400) an {@code fileId} that is not one of the tenant's batch input files. */
    void check(Tenant tenant, String fileId) {
        Optional<FileRow> found = PageQuery.plausibleId(fileId) ? files.find(tenant.id(), fileId) : Optional.empty();
        FileRow file = found.orElseThrow(() -> new ApiException(
                HttpStatus.NOT_FOUND,
                "invalid_request_error",
                "input_file_id",
                "file_not_found",
                "No file found with id '"
                        + (found.isEmpty() && fileId.length() > 100 ? fileId.substring(0, 100) + "..." : fileId)
                        + "': upload it with POST /v1/files first."));
        if (file.batchId() != null && file.purpose().equals("batch")) {
            throw ApiException.invalid(
                    "input_file_id",
                    "invalid_input_file",
                    "File " + fileId + " is the input of " + "inline batch " + file.batchId()
                            + "; a batch is made from a file uploaded with POST /v1/files.");
        }
        if (!file.purpose().equals("batch") || file.batchId() != null) {
            throw ApiException.invalid(
                    "input_file_id",
                    "invalid_input_file",
                    "File " + fileId + " has purpose '" + file.purpose()
                            + "'; a batch is made from a file uploaded with purpose 'batch'.");
        }
        if (file.expired()) {
            throw new ApiException(
                    HttpStatus.GONE,
                    "invalid_request_error",
                    "input_file_id",
                    "content_expired",
                    "The content of file " + fileId + " was removed at " + file.expiredAt()
                            + ", when its retention period ran out; upload it again.");
        }
    }

    /**
     * Reads file {@code fileId} (already {@link #check checked}) line by line and hands each checked request to
     * {@code sink}, in order; every line must call {@code target}. Call inside the transaction that stores them.
     */
    void store(String fileId, Endpoint target, Consumer<JobRequest> sink) {
        parts.read(fileId, in -> {
            lines(in, fileId, target, sink);
            return null;
        });
    }

    private void lines(InputStream in, String fileId, Endpoint target, Consumer<JobRequest> sink) {
        BatchLines lines = new BatchLines(limits, checks, "input_file_id");
        BoundedLines reader = new BoundedLines(
                new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 64 * 1024),
                (int) limits.maxLineSize().toBytes(),
                fileId);
        try {
            for (String text = reader.next(); text != null; text = reader.next()) {
                int lineNo = reader.lineNo();
                if (lineNo == 1 && text.startsWith(BYTE_ORDER_MARK)) {
                    text = text.substring(1);
                }
                if (!text.isBlank()) {
                    sink.accept(line(lines, text, lineNo, fileId, target));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading input file " + fileId + " failed", e);
        }
        if (lines.count() == 0) {
            throw ApiException.invalid("input_file_id", "empty_batch", "File " + fileId + " holds no request.");
        }
    }

    private static JobRequest line(BatchLines lines, String text, int lineNo, String fileId, Endpoint target) {
        String param = "line[" + lineNo + "]";
        String where = " (line " + lineNo + " of file " + fileId + ")";
        JobRequest request;
        try (JsonInput json = JsonInput.objectOf(text.getBytes(StandardCharsets.UTF_8))) {
            request = lines.add(json, param, lineNo, where);
            json.end();
        } catch (ApiException e) {
            if (e.param() != null) {
                throw e;
            }
            // Malformed JSON: the parser knows the column but not which line of the file it is on.
            throw ApiException.invalid(
                    param,
                    e.code(),
                    "Line " + lineNo + " of file " + fileId + " is not one "
                            + "JSON object {custom_id, method, url, body}: " + e.getMessage());
        }
        BatchLines.checkUrl(request, target, param, where);
        return request;
    }
}
