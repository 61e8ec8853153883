package dev.sluice.worker.intake;

import dev.sluice.common.JobMessage;
import dev.sluice.worker.execution.JobExecutor;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageListener;

/**
 * Hands each message of one model's queue to the {@link JobExecutor}. The container acks when this returns
 * (the job's outcome is committed by then) and requeues when it throws, except for a message that names no
 * job, which is logged and dropped: redelivering it could never help.
 */
final class JobMessageListener implements MessageListener {

    private static final Logger log = LoggerFactory.getLogger(JobMessageListener.class);

    /** How long a message whose handling failed unexpectedly (the database is down) waits before it goes back. */
    private static final Duration PAUSE_AFTER_FAILURE = Duration.ofSeconds(1);

    private final String model;
    private final JobExecutor executor;

    JobMessageListener(String model, JobExecutor executor) {
        this.model = model;
        this.executor = executor;
    }

    @Override
    public void onMessage(Message message) {
        Optional<JobMessage> job = JobMessageReader.read(message.getBody(), model);
        if (job.isEmpty()) {
            log.warn("Dropping a malformed message on the queue of model {} ({} bytes, no job_id)", model,
                    message.getBody().length);
            return;
        }
        try {
            executor.execute(job.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running job " + job.get().jobId()
                    + "; its message goes back to the queue", e);
        } catch (RuntimeException e) {
            // Requeued at once, the message would come straight back and fail again just as fast.
            pauseBeforeRequeue();
            throw e;
        }
    }

    private static void pauseBeforeRequeue() {
        try {
            Thread.sleep(PAUSE_AFTER_FAILURE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
