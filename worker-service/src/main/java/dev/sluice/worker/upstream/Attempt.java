package dev.sluice.worker.upstream;

import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What one upstream call came to, as an instruction for what to do with the job next. The executor
 * switches over it exhaustively, so a new kind of outcome cannot be silently ignored.
 */
public sealed interface Attempt {

    /** How long the call took, from sending the request to reading the whole answer (or giving up). */
    Duration latency();

    /**
     * The provider answered 2xx with a JSON body: the job succeeded.
     *
     * @param status the HTTP status
     * @param body   the body exactly as received
     * @param usage  the tokens the answer's {@code usage} reports
     */
    record Success(int status, String body, TokenUsage usage, Duration latency) implements Attempt {}

    /**
     * The provider answered 429: run the job again once the model's window has cleared, without counting
     * this attempt, and pause the model meanwhile.
     *
     * @param retryAfter     how long the provider asked to wait ({@code Retry-After}, the reset header of the kind
     *                       named, or the text's "try again in"), if it said
     * @param learnedLimit   the limit the answer's text states ({@code Rate limit of 15 per 60s ...}, {@code on tokens
     *                       per min (TPM): Limit 30000}), if it does
     * @param names          which kind of limit the answer names (tokens or requests), if it says
     * @param statedRequests N from {@code x-ratelimit-limit-requests}, if sent: an amount without its window
     * @param statedTokens   T from {@code x-ratelimit-limit-tokens}, if sent
     * @param body           the body as received, for the log of rate-limit events
     */
    record RateLimited(
            Optional<Duration> retryAfter,
            Optional<Limit> learnedLimit,
            Optional<Limit.Unit> names,
            OptionalLong statedRequests,
            OptionalLong statedTokens,
            String body,
            Duration latency)
            implements Attempt {

        /** Headers state an amount per minute where no window of that unit is in force (OpenAI's RPM and TPM). */
        static final Duration HEADER_WINDOW = Duration.ofMinutes(1);

        /**
         * What this answer teaches that {@code inForce} does not already enforce: the limit its text states; else
         * the amount its header states for the kind of limit it names (requests when it names none), per the
         * shortest window of that kind in force (a minute when there is none). A 429 naming tokens never teaches a
         * request limit, nor the reverse.
         */
        public Optional<Limit> teaches(LimitSet inForce) {
            Optional<Limit> lesson = learnedLimit.or(() -> {
                Limit.Unit unit = names.orElse(Limit.Unit.REQUESTS);
                OptionalLong amount = unit == Limit.Unit.TOKENS ? statedTokens : statedRequests;
                if (amount.isEmpty() || amount.getAsLong() < 1) {
                    return Optional.empty();
                }
                Duration window = inForce.shortestWindow(unit).orElse(HEADER_WINDOW);
                return Optional.of(new Limit(unit, amount.getAsLong(), window));
            });
            return lesson.filter(limit -> !inForce.enforces(limit));
        }

        /** The kind of limit this answer is about: what it names, else what it taught, else requests. */
        public Limit.Unit unit() {
            return names.orElse(learnedLimit.map(Limit::unit).orElse(Limit.Unit.REQUESTS));
        }
    }

    /**
     * Worth another attempt after a backoff: a 5xx, a timeout, a reset connection, or a 2xx whose body is
     * cut short or not JSON. When attempts run out, what is stored is the HTTP answer if there was a usable one
     * ({@code status} and {@code body}), otherwise {@code errorCode} and {@code message}.
     *
     * @param status    the HTTP status of a 5xx (or other retryable) answer, or null when none usable came
     * @param body      that answer's body, or null
     * @param errorCode {@code request_timeout} or {@code upstream_unreachable} when no usable answer came, else null
     * @param message   what went wrong, for logs and the error file; never contains the key or the prompt
     * @param retryAfter how long the provider asked to wait ({@code Retry-After} on a 503, say), if it said
     */
    record Transient(
            Integer status,
            String body,
            String errorCode,
            String message,
            Duration latency,
            Optional<Duration> retryAfter)
            implements Attempt {

        /** The code of a job whose call timed out. */
        public static final String REQUEST_TIMEOUT = "request_timeout";
        /** The code of a job whose provider could not be reached or gave no usable answer. */
        public static final String UPSTREAM_UNREACHABLE = "upstream_unreachable";

        /** A retryable HTTP answer, with the wait the provider asked for, if any. */
        static Transient http(int status, String body, Duration latency, Optional<Duration> retryAfter) {
            return new Transient(status, body, null, "the provider answered HTTP " + status, latency, retryAfter);
        }

        /** No usable answer. */
        static Transient noAnswer(String errorCode, String message, Duration latency) {
            return new Transient(null, null, errorCode, message, latency, Optional.empty());
        }
    }

    /**
     * Not worth another attempt: the provider refused the request for good (a 4xx other than 429), or its answer
     * was larger than {@code sluice.upstream.max-response-size} (the same request would bring the same answer).
     * Fail the job at once, keeping the provider's status and body, or {@code errorCode} and {@code message} when
     * no answer is kept.
     *
     * @param status    the HTTP status of a refusal, or null when the answer is not kept
     * @param body      the refusal's body as received, or null
     * @param errorCode {@code response_too_large} when the answer is not kept, else null
     * @param message   what went wrong when the answer is not kept, else null; never contains the key or the prompt
     */
    record Permanent(Integer status, String body, String errorCode, String message, Duration latency)
            implements Attempt {

        /** The code of a job whose answer was larger than {@code sluice.upstream.max-response-size}. */
        public static final String RESPONSE_TOO_LARGE = "response_too_large";

        /** The code of a job larger than a whole token window of its model: no wait lets it through. */
        public static final String REQUEST_TOO_LARGE = "request_too_large";

        /** A refusal: the provider's HTTP answer, kept as it came. */
        public Permanent(int status, String body, Duration latency) {
            this(status, body, null, null, latency);
        }

        /** An answer over {@code maxBytes}: neither its status nor its body is kept. */
        static Permanent tooLarge(int status, long maxBytes, Duration latency) {
            return new Permanent(
                    null,
                    null,
                    RESPONSE_TOO_LARGE,
                    "the provider answered HTTP " + status
                            + " with a body larger than sluice.upstream.max-response-size (" + maxBytes + " bytes)",
                    latency);
        }
    }
}
