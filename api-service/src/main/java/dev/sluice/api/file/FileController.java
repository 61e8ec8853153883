package dev.sluice.api.file;

import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.PageQuery;
import dev.sluice.db.file.FileRepository;
import dev.sluice.db.file.FileRow;
import dev.sluice.db.file.ResultKind;
import dev.sluice.db.tenant.Tenant;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.ContentDisposition;
import org.springframework.http.MediaType;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /v1/files}: a batch's output and error files, whose content is streamed from the jobs
 * in line order. Uploads (input files) are not supported yet.
 */
@RestController
@RequestMapping("/v1/files")
class FileController {

    private final FileRepository files;

    FileController(FileRepository files) {
        this.files = files;
    }

    @GetMapping("/{id}")
    FileView get(Tenant tenant, @PathVariable String id) {
        return FileView.of(find(tenant, id));
    }

    /** Streams from the database cursor on the request's thread, as {@code /v1/batches/{id}/results} does. */
    @GetMapping("/{id}/content")
    void content(Tenant tenant, @PathVariable String id, HttpServletResponse response) throws IOException {
        FileRow file = find(tenant, id);
        if (file.batchId() == null || file.kind().equals("input")) {
            throw ApiException.notFound("file content", id);
        }
        ResultKind kind = ResultKind.fromFileKind(file.kind());
        // OpenAI serves file content as bytes; clients write it out or split it into lines.
        response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                .filename(file.filename(), StandardCharsets.UTF_8).build().toString());
        files.writeResults(file.batchId(), kind, response.getOutputStream());
    }

    private FileRow find(Tenant tenant, String id) {
        if (!PageQuery.plausibleId(id)) {
            throw ApiException.notFound("file", id);
        }
        return files.find(tenant.id(), id).orElseThrow(() -> ApiException.notFound("file", id));
    }
}
