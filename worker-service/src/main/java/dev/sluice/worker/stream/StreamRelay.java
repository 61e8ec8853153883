package dev.sluice.worker.stream;

import dev.sluice.db.job.ClaimedJob;
import dev.sluice.db.stream.StreamChunks;
import dev.sluice.worker.WorkerProperties;
import dev.sluice.worker.upstream.Attempt;
import dev.sluice.worker.upstream.Departure;
import dev.sluice.worker.upstream.StreamingCall;
import dev.sluice.worker.upstream.UpstreamClient;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Makes a job's attempt, streaming it when that is wanted and safe. A job whose body asks for
 * {@code stream: true} is a facade caller's streaming call. With {@code sluice.upstream.streaming: true}, its
 * first attempt calls the provider with streaming and relays each chunk, checked to be a well-formed chunk
 * object, to the waiting api instance ({@link StreamChunks}); the job's result is the answer the chunks add up
 * to. A stream that breaks (cut, stalled, a malformed event, longer than
 * {@code sluice.upstream.max-response-size}) makes the attempt a transient failure: the job is retried after its
 * backoff, under a new pacer grant, <em>without</em> streaming, and the api completes the caller's stream from
 * that answer. Every other attempt, including all attempts when streaming is off (the
 * default: the seed provider's streaming is broken), goes out without {@code stream} and {@code stream_options}.
 */
@Component
public class StreamRelay {

    private static final Logger log = LoggerFactory.getLogger(StreamRelay.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final UpstreamClient upstream;
    private final StreamingCall streaming;
    private final StreamChunks chunks;
    private final boolean enabled;

    StreamRelay(UpstreamClient upstream, StreamingCall streaming, StreamChunks chunks, WorkerProperties properties) {
        this.upstream = upstream;
        this.streaming = streaming;
        this.chunks = chunks;
        this.enabled = properties.upstream().streaming();
    }

    /**
     * One attempt of {@code job} with {@code apiKey}, leaving after {@code departure}; {@code departure} and {@code
     * onSent} as in {@link UpstreamClient#call}. A streamed call waits for its departure before it connects.
     */
    public Attempt call(String apiKey, ClaimedJob job, Departure departure, LongConsumer onSent)
            throws InterruptedException {
        Optional<ObjectNode> streamed = streamRequest(job.body());
        if (streamed.isEmpty()) {
            return upstream.call(apiKey, job.url(), job.body(), departure, onSent);
        }
        if (!enabled || job.batchId() != null || job.attempts() > 1) {
            ObjectNode plain = streamed.get().deepCopy();
            plain.remove("stream");
            plain.remove("stream_options");
            return upstream.call(apiKey, job.url(), JSON.writeValueAsString(plain), departure, onSent);
        }
        departure.await();
        Answer answer = new Answer();
        StreamingCall.Result result =
                streaming.call(apiKey, job.url(), job.body(), onSent, data -> relay(job.id(), data, answer));
        return switch (result) {
            case StreamingCall.Result.Answered answered -> answered.attempt();
            case StreamingCall.Result.Completed completed -> answer.toAttempt(completed.latency());
            case StreamingCall.Result.Broken broken -> {
                log.info(
                        "Job {}: the provider's stream broke after {} chunk(s) ({}); retrying without streaming",
                        job.id(),
                        answer.chunks(),
                        broken.why());
                yield new Attempt.Transient(
                        null,
                        null,
                        Attempt.Transient.UPSTREAM_UNREACHABLE,
                        "the provider's stream broke: " + broken.why(),
                        broken.latency(),
                        Optional.empty());
            }
        };
    }

    /** The body as an object when it asks for {@code stream: true}; a cheap text check first. */
    private static Optional<ObjectNode> streamRequest(String body) {
        if (!body.contains("\"stream\"")) {
            return Optional.empty();
        }
        try {
            JsonNode root = JSON.readTree(body);
            return root instanceof ObjectNode object && object.path("stream").asBoolean(false)
                    ? Optional.of(object)
                    : Optional.empty();
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }

    private boolean relay(String jobId, String data, Answer answer) {
        JsonNode chunk;
        try {
            chunk = JSON.readTree(data);
        } catch (JacksonException e) {
            return false;
        }
        if (!answer.add(chunk)) {
            return false;
        }
        // A chunk too large for a notification stops the relay; the retry answers the caller instead.
        return chunks.send(jobId, JSON.writeValueAsString(chunk));
    }
}
