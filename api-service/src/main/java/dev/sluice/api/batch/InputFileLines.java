package dev.sluice.api.batch;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.job.JobRequest;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonInput;
import dev.sluice.api.web.PageQuery;
import dev.sluice.common.Endpoint;
import dev.sluice.db.file.FilePartRepository;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.FileRow;
import dev.sluice.db.tenant.Tenant;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * The requests of a batch given by {@code input_file_id}: the tenant's uploaded file is streamed from
 * the database line by line, and each line goes through the same checks as an inline request
 * ({@link BatchLines}). The first bad line is a 400 whose {@code param} names it by its 1-based line
 * number in the file ({@code line[3].custom_id}), and no batch is created.
 */
@Component
class InputFileLines {

    /** Some Windows editors start UTF-8 files with one; the upload check allows it. */
    private static final String BYTE_ORDER_MARK = "\uFEFF";

    private final FileRepository files;
    private final FilePartRepository parts;
    private final ApiProperties.Input limits;

    InputFileLines(FileRepository files, FilePartRepository parts, ApiProperties properties) {
        this.files = files;
        this.parts = parts;
        this.limits = properties.input();
    }

    /** The checked requests of the tenant's input file {@code fileId}; every line must call {@code target}. */
    List<JobRequest> requests(Tenant tenant, String fileId, Endpoint target) {
        Optional<FileRow> found = PageQuery.plausibleId(fileId) ? files.find(tenant.id(), fileId) : Optional.empty();
        FileRow file = found.orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "invalid_request_error",
                "input_file_id", "file_not_found", "No file found with id '" + (found.isEmpty() && fileId.length() > 100
                        ? fileId.substring(0, 100) + "..." : fileId) + "': upload it with POST /v1/files first."));
        if (!file.purpose().equals("batch") || file.batchId() != null) {
            throw ApiException.invalid("input_file_id", "invalid_input_file", "File " + fileId + " has purpose '"
                    + file.purpose() + "'; a batch is made from a file uploaded with purpose 'batch'.");
        }
        return parts.read(file.id(), in -> lines(in, fileId, target));
    }

    private List<JobRequest> lines(InputStream in, String fileId, Endpoint target) {
        BatchLines lines = new BatchLines(limits, "input_file_id");
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 64 * 1024);
        try {
            int lineNo = 0;
            for (String text = reader.readLine(); text != null; text = reader.readLine()) {
                lineNo++;
                if (lineNo == 1 && text.startsWith(BYTE_ORDER_MARK)) {
                    text = text.substring(1);
                }
                if (!text.isBlank()) {
                    line(lines, text, lineNo, fileId, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading input file " + fileId + " failed", e);
        }
        if (lines.requests().isEmpty()) {
            throw ApiException.invalid("input_file_id", "empty_batch", "File " + fileId + " holds no request.");
        }
        return lines.requests();
    }

    private static void line(BatchLines lines, String text, int lineNo, String fileId, Endpoint target) {
        String param = "line[" + lineNo + "]";
        String where = " (line " + lineNo + " of file " + fileId + ")";
        try (JsonInput json = JsonInput.objectOf(text.getBytes(StandardCharsets.UTF_8))) {
            lines.add(json, param, lineNo, where);
            json.end();
        } catch (ApiException e) {
            if (e.param() != null) {
                throw e;
            }
            // Malformed JSON: the parser knows the column but not which line of the file it is on.
            throw ApiException.invalid(param, e.code(), "Line " + lineNo + " of file " + fileId + " is not one "
                    + "JSON object {custom_id, method, url, body}: " + e.getMessage());
        }
        BatchLines.checkUrl(lines.requests().getLast(), target, param, where);
    }
}
