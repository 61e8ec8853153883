package dev.sluice.db.job;

import dev.sluice.db.Timestamps;
import java.io.IOException;
import java.io.Writer;
import java.time.Instant;

/**
 * Writes jobs in PostgreSQL's COPY text format: tab-separated, {@code \N} for null, and
 * backslash, tab, newline and carriage return escaped. Request bodies are client JSON, so every
 * one of those characters can occur in them.
 */
final class JobCopyWriter {

    /** The column list the rows below fill, in order. */
    static final String COLUMNS =
            "(id, tenant_id, batch_id, line_no, custom_id, url, model, body, priority, status, webhook_url, webhook_events,"
                    + " prompt_tokens_estimate, max_output_tokens, created_at, published_at)";

    private final Writer out;
    private final String createdAt;
    private final String publishedAt;

    /** Rows created at {@code createdAt}, and recorded as published at {@code publishedAt} unless it is null. */
    JobCopyWriter(Writer out, Instant createdAt, Instant publishedAt) {
        this.out = out;
        this.createdAt = Timestamps.bind(createdAt).toString();
        this.publishedAt =
                publishedAt == null ? null : Timestamps.bind(publishedAt).toString();
    }

    void write(NewJob job) throws IOException {
        field(job.id());
        field(job.tenantId());
        field(job.batchId());
        field(job.lineNo() == null ? null : job.lineNo().toString());
        field(job.customId());
        field(job.url());
        field(job.model());
        field(job.body());
        field(Integer.toString(job.priority()));
        field("queued");
        field(job.webhookUrl());
        // A closed set of dotted names: no element needs quoting in an array literal.
        field(job.webhookEvents() == null ? null : "{" + String.join(",", job.webhookEvents()) + "}");
        field(Integer.toString(job.tokens().promptTokens()));
        field(
                job.tokens().maxOutputTokens() == null
                        ? null
                        : job.tokens().maxOutputTokens().toString());
        field(createdAt);
        out.write(publishedAt == null ? "\\N" : publishedAt);
        out.write('\n');
    }

    private void field(String value) throws IOException {
        if (value == null) {
            out.write("\\N");
        } else {
            escape(value);
        }
        out.write('\t');
    }

    private void escape(String value) throws IOException {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.write("\\\\");
                case '\t' -> out.write("\\t");
                case '\n' -> out.write("\\n");
                case '\r' -> out.write("\\r");
                default -> out.write(c);
            }
        }
    }
}
