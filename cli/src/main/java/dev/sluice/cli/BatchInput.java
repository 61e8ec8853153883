package dev.sluice.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A batch input file as read before anything is uploaded: it exists, it is UTF-8 JSONL, and its
 * first line's {@code url} gives the batch's endpoint unless {@code --endpoint} does. The server
 * checks every line; this only catches what would otherwise cost an upload.
 *
 * @param file     the file
 * @param requests its non-blank lines
 * @param firstUrl the first line's {@code url}, or null when it has none
 */
record BatchInput(Path file, long requests, String firstUrl) {

    static BatchInput read(Path file) {
        if (!Files.exists(file)) {
            throw new CliException(
                    ExitCode.NOT_FOUND,
                    file + " does not exist: give the path of a JSONL batch "
                            + "input file (one request object per line).");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new CliException(
                    ExitCode.NOT_FOUND,
                    file + " is not a readable file: give the path of a JSONL " + "batch input file.");
        }
        long requests = 0;
        JsonNode first = null;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                if (requests++ == 0) {
                    first = firstLine(file, line);
                }
            }
        } catch (CharacterCodingException e) {
            throw new CliException(ExitCode.REJECTED, file + " is not UTF-8 text: a batch input file is JSONL.");
        } catch (IOException e) {
            throw new CliException(ExitCode.NOT_FOUND, "cannot read " + file + " (" + e.getMessage() + ").");
        }
        if (first == null) {
            throw new CliException(
                    ExitCode.REJECTED,
                    file + " has no requests: a batch input file has one request " + "object per line.");
        }
        JsonNode url = first.path("url");
        return new BatchInput(file, requests, url.isString() && !url.asString().isBlank() ? url.asString() : null);
    }

    /** {@code --endpoint} when given, else the first line's {@code url}. */
    String endpoint(String given) {
        if (given != null) {
            return given;
        }
        if (firstUrl == null) {
            throw new CliException(
                    ExitCode.USAGE,
                    "the first request in " + file + " has no \"url\": pass "
                            + "--endpoint, e.g. --endpoint /v1/chat/completions.");
        }
        return firstUrl;
    }

    private static JsonNode firstLine(Path file, String line) {
        try {
            JsonNode node = ApiClient.JSON.readTree(line);
            if (node.isObject()) {
                return node;
            }
        } catch (JacksonException e) {
            // Reported below.
        }
        throw new CliException(
                ExitCode.REJECTED,
                "the first line of " + file + " is not a JSON object: each line "
                        + "is a request such as {\"custom_id\": \"q1\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", "
                        + "\"body\": {...}}.");
    }
}
