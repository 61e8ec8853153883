package dev.sluice.api.batch;

import dev.sluice.api.job.JobRequest;
import dev.sluice.common.Ids;
import dev.sluice.common.JobMessage;
import dev.sluice.db.file.InputLine;
import dev.sluice.db.job.JobRepository;
import dev.sluice.db.job.NewJob;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stores a batch's jobs as its lines arrive, inside the transaction that stores the batch: lines are buffered
 * up to {@link #MAX_BUFFERED_JOBS} jobs or {@link #MAX_BUFFERED_CHARS} characters of bodies and then written
 * with one COPY, so memory stays bounded however large the batch. Kept for after the commit are only what
 * publishing needs, one small {@link JobMessage} per job (ids, and each model name once), and for an inline
 * batch the size of its input file as rendered from the jobs ({@link InputLine}).
 */
final class BatchJobWriter {

    /** Jobs per COPY at most. */
    static final int MAX_BUFFERED_JOBS = 1_000;

    /** Characters of request bodies per COPY at most (about 8 MiB of heap). */
    static final int MAX_BUFFERED_CHARS = 4 * 1024 * 1024;

    private final JobRepository jobs;
    private final String tenantId;
    private final InlineBatch batch;
    private final String batchId;
    private final Instant now;
    private final List<NewJob> buffer = new ArrayList<>();
    private final List<JobMessage> messages = new ArrayList<>();
    private final Map<String, String> models = new LinkedHashMap<>();
    private long bufferedChars;
    private long inputBytes;

    BatchJobWriter(JobRepository jobs, String tenantId, InlineBatch batch, String batchId, Instant now) {
        this.jobs = jobs;
        this.tenantId = tenantId;
        this.batch = batch;
        this.batchId = batchId;
        this.now = now;
    }

    /** Adds the batch's next line. */
    void add(JobRequest request) {
        String jobId = Ids.job();
        // One String per model name, not one per line.
        String model = models.computeIfAbsent(request.model(), name -> name);
        buffer.add(new NewJob(
                jobId,
                tenantId,
                batchId,
                messages.size() + 1,
                request.customId(),
                batch.endpoint().path(),
                model,
                request.body(),
                batch.priority(),
                null,
                null,
                request.tokens()));
        messages.add(new JobMessage(jobId, model, tenantId, batch.priority(), request.tokens()));
        if (batch.requests() != null) {
            inputBytes += InputLine.bytes(request.customId(), batch.endpoint().path(), request.body());
        }
        bufferedChars += request.body().length();
        if (buffer.size() >= MAX_BUFFERED_JOBS || bufferedChars >= MAX_BUFFERED_CHARS) {
            flush();
        }
    }

    /** Writes what is still buffered; call once every line was added. */
    void flush() {
        if (!buffer.isEmpty()) {
            // Stored as published: the batch's publisher records its progress per chunk, not per job (V36).
            jobs.insertBatchLines(buffer, now);
            buffer.clear();
            bufferedChars = 0;
        }
    }

    /** How many lines were added. */
    int count() {
        return messages.size();
    }

    /** For an inline batch, the byte size of its input file rendered from the jobs added. */
    long inputBytes() {
        return inputBytes;
    }

    /** The message of every job added, in line order. */
    List<JobMessage> messages() {
        return messages;
    }

    /** The distinct models of the jobs added. */
    List<String> models() {
        return List.copyOf(models.keySet());
    }
}
