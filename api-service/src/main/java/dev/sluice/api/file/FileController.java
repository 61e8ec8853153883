package dev.sluice.api.file;

import dev.sluice.api.ApiProperties;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.ErrorResponse;
import dev.sluice.api.web.ListPage;
import dev.sluice.api.web.PageQuery;
import dev.sluice.db.file.FileEntityRepository;
import dev.sluice.db.file.FilePartRepository;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.FileRow;
import dev.sluice.db.file.ResultKind;
import dev.sluice.db.tenant.Tenant;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.parameters.RequestBody;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartHttpServletRequest;

/**
 * {@code /v1/files}, as OpenAI's Files API for batches: uploads of batch input files (purpose
 * {@code batch}, stored in PostgreSQL part by part), the input files of inline batches (purpose
 * {@code batch}, rendered from the jobs) and the output and error files of batches (purpose
 * {@code batch_output}, rendered from the jobs). Content is streamed in every case.
 * Another tenant's file answers exactly as a file that does not exist.
 */
@RestController
@RequestMapping("/v1/files")
@Tag(name = "Files", description = "OpenAI's Files API for batch input and result files")
class FileController {

    private final FileEntityRepository files;
    private final FilePartRepository parts;
    private final FileRepository rendered;
    private final FileUploads uploads;
    private final long maxFileSize;
    private final Duration retention;

    FileController(
            FileEntityRepository files,
            FilePartRepository parts,
            FileRepository rendered,
            FileUploads uploads,
            ApiProperties properties) {
        this.files = files;
        this.parts = parts;
        this.rendered = rendered;
        this.uploads = uploads;
        this.maxFileSize = properties.input().maxFileSize().toBytes();
        this.retention = properties.retention();
    }

    /** OpenAI's upload: multipart {@code file} and {@code purpose}; 200 with the file object. */
    @Operation(
            summary = "Upload a batch input file",
            requestBody =
                    @RequestBody(
                            required = true,
                            content =
                                    @Content(
                                            mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
                                            schema = @Schema(implementation = FileSchemas.Upload.class))))
    @ErrorResponse(status = 429, description = "The upload would exceed the tenant's stored_bytes quota")
    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    FileView upload(Tenant tenant, MultipartHttpServletRequest request) {
        UploadForm form = UploadForm.read(request, maxFileSize);
        try {
            return FileView.of(
                    uploads.store(
                            tenant,
                            form.filename(),
                            form.file().getInputStream(),
                            form.file().getSize()),
                    retention);
        } catch (IOException e) {
            throw ApiException.invalid("file", "unreadable_file", "The uploaded file could not be read completely.");
        }
    }

    @Operation(summary = "List the tenant's files")
    @GetMapping
    ListPage<FileView> list(
            Tenant tenant,
            @RequestParam(required = false) String purpose,
            @RequestParam(required = false) String after,
            @RequestParam(required = false) String limit,
            @RequestParam(required = false) String order) {
        PageQuery page = PageQuery.parse(after, limit);
        boolean newestFirst = newestFirst(order);
        if (purpose != null
                && (purpose.isEmpty()
                        || purpose.length() > 64
                        || purpose.chars().anyMatch(Character::isISOControl))) {
            throw ApiException.invalid("purpose", "invalid_purpose", "purpose must be a purpose such as 'batch'.");
        }
        return ListPage.of(
                files.page(tenant.id(), purpose, page.after(), newestFirst, page.limit() + 1),
                page.limit(),
                file -> FileView.of(sized(file), retention),
                FileRow::id);
    }

    @Operation(summary = "Get a file")
    @GetMapping("/{id}")
    FileView get(Tenant tenant, @PathVariable String id) {
        return FileView.of(sized(find(tenant, id)), retention);
    }

    /**
     * The file with its size. A batch's result file is sized by its finaliser just after the batch settled; read
     * before that (or if the finaliser died in between) it is sized here, by the same rendering. One whose content
     * the retention sweep removed before anyone sized it shows 0.
     */
    private FileRow sized(FileRow file) {
        if (file.bytes() != null) {
            return file;
        }
        return file.withBytes(
                file.expired()
                        ? 0
                        : rendered.sizeResultFile(file.id(), file.batchId(), ResultKind.fromFileKind(file.kind())));
    }

    /** OpenAI's delete: {@code {id, object: "file", deleted: true}}; batches made from it keep running. */
    @Operation(summary = "Delete a file")
    @DeleteMapping("/{id}")
    FileDeleted delete(Tenant tenant, @PathVariable String id) {
        if (!PageQuery.plausibleId(id) || !files.delete(tenant.id(), id)) {
            throw ApiException.notFound("file", id);
        }
        return new FileDeleted(id, "file", true);
    }

    /**
     * Streams on the request's thread, as {@code /v1/batches/{id}/results} does: an upload one stored part per
     * query, a rendered file one page of jobs per query; no connection is held while the client reads.
     */
    @Operation(summary = "Download a file's content")
    @ApiResponse(
            responseCode = "200",
            description = "The bytes (JSONL)",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_OCTET_STREAM_VALUE,
                            schema = @Schema(type = "string", format = "binary")))
    @ErrorResponse(status = 410, description = "The content was removed after the retention period")
    @GetMapping("/{id}/content")
    void content(Tenant tenant, @PathVariable String id, HttpServletResponse response) throws IOException {
        FileRow file = find(tenant, id);
        if (file.expired()) {
            throw ApiException.gone(
                    "content_expired",
                    "The content of file " + file.id() + " was removed at " + file.expiredAt()
                            + ", when its retention period ran out; the file object remains until deleted.");
        }
        // OpenAI serves file content as bytes; clients write it out or split it into lines.
        response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
        response.setHeader(
                HttpHeaders.CONTENT_DISPOSITION,
                ContentDisposition.attachment()
                        .filename(file.filename(), StandardCharsets.UTF_8)
                        .build()
                        .toString());
        OutputStream out = response.getOutputStream();
        if (file.batchId() == null) {
            response.setContentLengthLong(file.bytes());
            parts.read(file.id(), in -> copy(in, out));
        } else if (file.kind().equals("input")) {
            // An inline batch's input file: sized from the same rendering when the batch was stored.
            response.setContentLengthLong(file.bytes());
            rendered.writeInputs(file.batchId(), out);
        } else {
            rendered.writeResults(file.batchId(), ResultKind.fromFileKind(file.kind()), out);
        }
    }

    private static long copy(InputStream in, OutputStream out) {
        try {
            return in.transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean newestFirst(String order) {
        if (order == null || order.equals("desc")) {
            return true;
        }
        if (order.equals("asc")) {
            return false;
        }
        throw ApiException.invalid(
                "order",
                "invalid_order",
                "order must be 'asc' or 'desc', got '" + (order.length() > 20 ? order.substring(0, 20) + "..." : order)
                        + "'.");
    }

    private FileRow find(Tenant tenant, String id) {
        if (!PageQuery.plausibleId(id)) {
            throw ApiException.notFound("file", id);
        }
        return files.find(tenant.id(), id).orElseThrow(() -> ApiException.notFound("file", id));
    }

    /**
     * OpenAI's deletion answer.
     *
     * @param id      the deleted file
     * @param object  always {@code file}
     * @param deleted always true
     */
    record FileDeleted(String id, String object, boolean deleted) {}
}
