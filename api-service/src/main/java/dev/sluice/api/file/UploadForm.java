package dev.sluice.api.file;

import dev.sluice.api.web.ApiException;
import org.apache.tomcat.util.http.fileupload.impl.SizeException;
import org.springframework.http.HttpStatus;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;

/**
 * The checked form of {@code POST /v1/files}: a non-empty {@code file} part and {@code purpose=batch}.
 * Reading it is what makes Tomcat parse the (lazily resolved) multipart body, so a body over the
 * size limit or a broken one is refused here, as a 413 or a 400.
 *
 * @param file     the uploaded file, spooled to disk by Tomcat
 * @param filename its name, as the client gave it (without any directory part)
 */
record UploadForm(MultipartFile file, String filename) {

    /** The purpose Sluice accepts for uploads; {@code batch_output} is reserved for the files it writes. */
    static final String PURPOSE = "batch";

    private static final int MAX_FILENAME_LENGTH = 255;

    static UploadForm read(MultipartHttpServletRequest request, long maxFileSize) {
        String purpose;
        MultipartFile file;
        try {
            // The file first: Spring parses the body then and reports its failures as MultipartExceptions.
            file = request.getFile("file");
            purpose = request.getParameter("purpose");
        } catch (MaxUploadSizeExceededException e) {
            throw tooLarge(maxFileSize);
        } catch (MultipartException | IllegalStateException e) {
            // Tomcat reports a body it cannot parse (or that is too large) as an IllegalStateException subtype.
            throw causedBySize(e)
                    ? tooLarge(maxFileSize)
                    : ApiException.invalid(
                            null,
                            "invalid_multipart",
                            "The request body is not a readable multipart/form-data body with 'file' and 'purpose'.");
        }
        if (purpose == null) {
            throw ApiException.invalid("purpose", "missing_purpose", "Missing 'purpose': it must be 'batch'.");
        }
        if (!purpose.equals(PURPOSE)) {
            throw ApiException.invalid(
                    "purpose",
                    "invalid_purpose",
                    "purpose must be 'batch' (batch input files); "
                            + "Sluice keeps no other kind of file and sets 'batch_output' on the files it writes itself.");
        }
        if (file == null) {
            throw ApiException.invalid(
                    "file",
                    "missing_file",
                    "Missing the 'file' part: upload the JSONL file " + "as a multipart/form-data part named 'file'.");
        }
        if (file.isEmpty()) {
            throw ApiException.invalid(
                    "file",
                    "empty_file",
                    "The file is empty: a batch input file has one " + "request object per line (JSONL).");
        }
        if (file.getSize() > maxFileSize) {
            throw tooLarge(maxFileSize);
        }
        return new UploadForm(file, filename(file.getOriginalFilename()));
    }

    /** The name without any directory part or control characters, cut to 255 characters. */
    private static String filename(String given) {
        String name =
                given == null ? "" : given.substring(Math.max(given.lastIndexOf('/'), given.lastIndexOf('\\')) + 1);
        name = name.codePoints()
                .filter(c -> !Character.isISOControl(c))
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString()
                .strip();
        if (name.isEmpty()) {
            return "upload.jsonl";
        }
        return name.length() > MAX_FILENAME_LENGTH ? name.substring(0, MAX_FILENAME_LENGTH) : name;
    }

    private static boolean causedBySize(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // Tomcat's parser: the whole request or one part over the multipart config's limits.
            if (t instanceof SizeException) {
                return true;
            }
        }
        return false;
    }

    private static ApiException tooLarge(long maxFileSize) {
        return new ApiException(
                HttpStatus.CONTENT_TOO_LARGE,
                "invalid_request_error",
                "file",
                "file_too_large",
                "The file is larger than the limit of " + maxFileSize + " bytes; split it into several files.");
    }
}
