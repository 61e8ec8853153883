package dev.sluice.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * {@code --output} and {@code --errors}: where a finished batch's output file (its successes) and
 * error file (its failures) are written, each through a temporary file moved into place, so that a
 * file at that path is always whole. A batch without an error file gets an empty one.
 */
final class ResultFiles {

    @Option(
            names = {"-o", "--output"},
            order = 10,
            paramLabel = "FILE",
            description = "Write the batch's results (its output file, one line per success) here.")
    Path output;

    @Option(
            names = {"-e", "--errors"},
            order = 11,
            paramLabel = "FILE",
            description = "Write the batch's failed lines (its error file) here.")
    Path errors;

    /** Fails before anything is sent when a file could not be written later. */
    void checkWritable() {
        for (Path file : new Path[] {output, errors}) {
            if (file == null) {
                continue;
            }
            Path parent = file.toAbsolutePath().getParent();
            if (Files.isDirectory(file) || parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
                throw new CliException(
                        ExitCode.USAGE,
                        "cannot write " + file + ": give a file in an existing, " + "writable directory.");
            }
        }
    }

    boolean any() {
        return output != null || errors != null;
    }

    /** Writes what was asked for; returns one sentence per file written. */
    List<String> write(ApiClient api, JsonNode batch) {
        List<String> written = new ArrayList<>();
        if (output != null) {
            written.add("Wrote " + download(api, batch.path("output_file_id"), output) + " results to " + output + ".");
        }
        if (errors != null) {
            written.add(
                    "Wrote " + download(api, batch.path("error_file_id"), errors) + " failed lines to " + errors + ".");
        }
        return written;
    }

    /** Copies a file's content into {@code target}; returns its lines. An absent file is written empty. */
    static long download(ApiClient api, JsonNode fileId, Path target) {
        Path absolute = target.toAbsolutePath();
        try {
            Path partial = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".part");
            try {
                LineCount lines;
                try (LineCount out = new LineCount(Files.newOutputStream(partial))) {
                    copy(api, fileId, out);
                    lines = out;
                }
                move(partial, absolute);
                return lines.lines();
            } finally {
                Files.deleteIfExists(partial);
            }
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, "cannot write " + target + " (" + e.getMessage() + ").");
        }
    }

    /** Copies a file's content ({@code GET /v1/files/{id}/content}) to {@code out}; nothing when there is no file. */
    static void copy(ApiClient api, JsonNode fileId, OutputStream out) {
        if (fileId.isString() && !fileId.asString().isEmpty()) {
            api.download("/v1/files/" + Text.segment(fileId.asString()) + "/content", out);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Counts the lines passing through: newlines, plus a last line without one. */
    static final class LineCount extends FilterOutputStream {

        private long newlines;
        private int last = '\n';

        LineCount(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            for (int i = offset; i < offset + length; i++) {
                count(bytes[i]);
            }
        }

        long lines() {
            return newlines + (last == '\n' ? 0 : 1);
        }

        private void count(int b) {
            if (b == '\n') {
                newlines++;
            }
            last = b;
        }
    }
}
