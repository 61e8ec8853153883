package dev.sluice.api.dispatch;

import dev.sluice.api.ApiProperties;
import dev.sluice.common.JobMessage;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.lane.LaneKey;
import dev.sluice.db.lane.LaneRepository;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntUnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.stereotype.Component;

/**
 * Puts stored jobs on their lane's queue (one per model and tenant, docs/tenants.md), enters those lanes, and records
 * which jobs the broker took.
 *
 * <p>Call it only after the transaction that stored the jobs has committed, so that a worker
 * never receives an id it cannot find. Messages go out in chunks on one channel; a job counts as
 * published only when the broker confirmed its message and did not return it as unroutable
 * ({@code mandatory}), and then its {@code published_at} is set, or for a batch's jobs
 * ({@link #publishLines}) their batch's publication is moved past the confirmed chunk. Anything else (broker down,
 * nack, timeout, return) leaves the job unconfirmed for {@link UnpublishedJobSweeper} to
 * retry, so a failure here never loses a job and never fails the client's request.
 */
@Component
public class JobPublisher {

    private static final Logger log = LoggerFactory.getLogger(JobPublisher.class);

    private final RabbitTemplate template;
    private final LaneQueues queues;
    private final LaneRepository lanes;
    private final Duration confirmTimeout;
    private final int chunkSize;
    private final Counter published;
    private final Counter failed;

    JobPublisher(
            ConnectionFactory connectionFactory,
            LaneQueues queues,
            LaneRepository lanes,
            ApiProperties properties,
            MeterRegistry meters) {
        this.template = new RabbitTemplate(connectionFactory);
        this.template.setMandatory(true);
        this.template.setReturnsCallback(returned -> log.debug(
                "Broker returned the message of job {} ({} {})",
                returned.getMessage().getMessageProperties().getMessageId(),
                returned.getReplyCode(),
                returned.getReplyText()));
        this.queues = queues;
        this.lanes = lanes;
        this.confirmTimeout = properties.dispatch().confirmTimeout();
        this.chunkSize = properties.dispatch().chunkSize();
        this.published = Counter.builder("sluice.jobs.published")
                .description("Job messages the broker confirmed")
                .register(meters);
        this.failed = Counter.builder("sluice.jobs.publish.failures")
                .description("Job messages not confirmed, left for the sweeper")
                .register(meters);
    }

    /**
     * Publishes the jobs' messages and marks the confirmed ones published. Never throws: what could
     * not be published stays stored with {@code published_at} null, and a WARN says so.
     *
     * @return how many jobs were confirmed and marked
     */
    public int publish(List<JobMessage> messages) {
        return publish(messages, (chunk, confirmed) -> enter(confirmed));
    }

    /**
     * Publishes messages of a batch's jobs, in line order ({@code lineOf} gives the line of the message at an index),
     * and records the batch's publication per chunk rather than per job (V36): once the broker confirmed a whole
     * chunk, the lanes enter and the batch's {@code unconfirmed_from} moves past the chunk's last line, in one round
     * trip; with {@code toTheEnd}, the confirm of the last chunk ends the batch's publication. A chunk the broker
     * confirmed only in part enters the lanes of what it confirmed and stops: the sweeper sends the rest, that chunk
     * whole included, once the batch's publishing lease has run out (a message sent twice is a no-op at the claim).
     *
     * @return how many messages were confirmed
     */
    public int publishLines(String batchId, List<JobMessage> messages, IntUnaryOperator lineOf, boolean toTheEnd) {
        return publish(messages, (chunk, confirmed) -> {
            List<LaneKey> entering = lanesOf(confirmed);
            if (confirmed.size() < chunk.size()) {
                lanes.enter(entering);
                return;
            }
            int end = chunk.from() + chunk.size();
            lanes.enterConfirming(
                    entering,
                    BatchRepository.confirmingLines(
                            batchId, lineOf.applyAsInt(end - 1) + 1, toTheEnd && end == messages.size()));
        });
    }

    /**
     * Declares the queue of a single job's lane, before the transaction that stores the job, so that the lane can be
     * entered ahead of the message in that transaction ({@link LaneRepository#enterAhead}); false when the broker did
     * not answer (the job is then published as any other, or by the sweeper).
     */
    public boolean ready(JobMessage message) {
        try {
            queues.ensure(message.lane());
            return true;
        } catch (RuntimeException e) {
            log.debug(
                    "Could not declare the queue of lane {}: {}",
                    message.lane(),
                    NestedExceptionUtils.getMostSpecificCause(e).toString());
            return false;
        }
    }

    /**
     * As {@link #publish}, for a single job whose lane its storing transaction entered ahead: once the broker confirmed
     * the message, the lane enters again only if no worker has claimed the job meanwhile, and the job is marked
     * published ({@link LaneRepository#enterPublishedUnlessClaimed}).
     */
    public boolean publishEnteredAhead(JobMessage message) {
        return publish(
                        List.of(message),
                        (chunk, confirmed) -> confirmed.forEach(job -> lanes.enterPublishedUnlessClaimed(job.jobId())))
                == 1;
    }

    /** Where a chunk is in the messages of one {@link #publish} call. */
    private record Chunk(int from, int size) {}

    /** What a chunk's confirm records: the lanes' entry, and the jobs' or their batch's publication. */
    private interface Entering {
        void enter(Chunk chunk, List<JobMessage> confirmed);
    }

    private int publish(List<JobMessage> messages, Entering entering) {
        int done = 0;
        String failure = "the broker did not confirm them, or returned them";
        for (int from = 0; from < messages.size(); from += chunkSize) {
            List<JobMessage> chunk = messages.subList(from, Math.min(messages.size(), from + chunkSize));
            int confirmed;
            try {
                confirmed = publishChunk(chunk, new Chunk(from, chunk.size()), entering);
            } catch (RuntimeException e) {
                confirmed = 0;
                failure = NestedExceptionUtils.getMostSpecificCause(e).toString();
            }
            done += confirmed;
            if (confirmed < chunk.size()) {
                // The broker is refusing or unreachable: the rest would fare no better, and the
                // sweeper retries all of them.
                break;
            }
        }
        if (done < messages.size()) {
            log.warn(
                    "{} of {} job message(s) are not published; the jobs are stored and the sweeper will publish "
                            + "them: {}",
                    messages.size() - done,
                    messages.size(),
                    failure);
        }
        published.increment(done);
        failed.increment(messages.size() - done);
        return done;
    }

    private int publishChunk(List<JobMessage> chunk, Chunk position, Entering entering) {
        long started = System.nanoTime();
        Sent sent = send(chunk);
        List<JobMessage> confirmed = new ArrayList<>(sent.confirmed());
        if (!sent.returned().isEmpty()) {
            // A worker deleted an emptied lane's queue since this process declared it: declare it again and send once
            // more; what comes back again is left for the sweeper.
            Sent again = send(sent.returned());
            confirmed.addAll(again.confirmed());
            if (!again.returned().isEmpty()) {
                log.warn(
                        "The broker returned {} job message(s) as unroutable twice; the sweeper will publish them",
                        again.returned().size());
            }
        }
        entering.enter(position, confirmed);
        log.debug(
                "Published {} of {} job message(s) in {} ms",
                confirmed.size(),
                chunk.size(),
                (System.nanoTime() - started) / 1_000_000);
        return confirmed.size();
    }

    /**
     * The lanes enter only now that their messages are on the queues (docs/tenants.md): a worker taking from a lane
     * either finds the message or sees the lane enter again. The jobs are marked in the same round trip and commit.
     */
    private void enter(List<JobMessage> confirmed) {
        lanes.enterPublished(
                lanesOf(confirmed), confirmed.stream().map(JobMessage::jobId).toList());
    }

    private static List<LaneKey> lanesOf(List<JobMessage> messages) {
        return messages.stream()
                .map(message -> new LaneKey(message.model(), message.tenantId()))
                .toList();
    }

    /** What the broker did with a chunk: confirmed and not returned, or returned as unroutable. */
    private record Sent(List<JobMessage> confirmed, List<JobMessage> returned) {}

    private Sent send(List<JobMessage> chunk) {
        List<String> queueNames =
                chunk.stream().map(message -> queues.ensure(message.lane())).toList();
        return template.invoke(operations -> {
            List<CorrelationData> pending = new ArrayList<>(chunk.size());
            for (int i = 0; i < chunk.size(); i++) {
                CorrelationData correlation = new CorrelationData(chunk.get(i).jobId());
                operations.send("", queueNames.get(i), AmqpJobMessage.of(chunk.get(i)), correlation);
                pending.add(correlation);
            }
            return awaitConfirms(chunk, pending);
        });
    }

    /** The messages that were acked and not returned, and those returned; a return is recorded before its ack. */
    private Sent awaitConfirms(List<JobMessage> chunk, List<CorrelationData> pending) {
        long deadline = System.nanoTime() + confirmTimeout.toNanos();
        List<JobMessage> confirmed = new ArrayList<>(chunk.size());
        List<JobMessage> returned = new ArrayList<>();
        for (int i = 0; i < chunk.size(); i++) {
            CorrelationData correlation = pending.get(i);
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                CorrelationData.Confirm confirm = correlation.getFuture().get(left, TimeUnit.NANOSECONDS);
                if (confirm.ack() && correlation.getReturned() == null) {
                    confirmed.add(chunk.get(i));
                } else if (correlation.getReturned() != null) {
                    returned.add(chunk.get(i));
                    queues.forget(chunk.get(i).lane());
                }
            } catch (TimeoutException e) {
                log.warn(
                        "The broker did not confirm job {} within {}",
                        chunk.get(i).jobId(),
                        confirmTimeout);
                break;
            } catch (ExecutionException e) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return new Sent(confirmed, returned);
    }
}
