package dev.sluice.worker.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.sluice.common.Limit;
import dev.sluice.common.LimitSet;
import dev.sluice.db.job.Outcome;
import dev.sluice.worker.WorkerProperties;
import dev.sluice.worker.execution.RetryPolicy.Decision;
import dev.sluice.worker.upstream.Attempt;
import dev.sluice.worker.upstream.TokenUsage;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every branch of the retry rule, one row each, with the numbers of {@link RetryPolicy}'s Javadoc. */
class RetryPolicyTest {

    /** The defaults: 5 attempts, backoff from 1 s up to 60 s. */
    private static final RetryPolicy DEFAULTS =
            new RetryPolicy(new WorkerProperties.Retry(5, Duration.ofSeconds(1), Duration.ofSeconds(60)));
    /** 8 attempts, backoff capped at 10 s. */
    private static final RetryPolicy CAPPED =
            new RetryPolicy(new WorkerProperties.Retry(8, Duration.ofSeconds(1), Duration.ofSeconds(10)));
    /** 64 attempts, backoff capped at 60 s: attempt counts whose doubling would overflow. */
    private static final RetryPolicy MANY =
            new RetryPolicy(new WorkerProperties.Retry(64, Duration.ofSeconds(1), Duration.ofSeconds(60)));
    /** The seed provider's limit and the default margin. */
    private static final RetryPolicy.Pacing PACING =
            new RetryPolicy.Pacing(LimitSet.configured(Limit.parse("15/60s")), Duration.ofMillis(250));

    private static final Duration LATENCY = Duration.ofMillis(120);

    private static final String ANSWER = "{\"object\":\"chat.completion\"}";
    private static final String SERVER_ERROR = "{\"error\":{\"type\":\"server_error\"}}";
    private static final String REFUSAL = "{\"error\":{\"type\":\"invalid_request_error\"}}";

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void decides(String row, RetryPolicy policy, Attempt attempt, int attemptsSoFar, double roll, Decision expected) {
        assertThat(policy.decide(attempt, attemptsSoFar, PACING, roll)).isEqualTo(expected);
    }

    static Stream<Arguments> rows() {
        Attempt.Success success = new Attempt.Success(200, ANSWER, new TokenUsage(3, 4, 7), LATENCY);
        Attempt.Permanent refusal = new Attempt.Permanent(400, REFUSAL, LATENCY);
        Attempt.Permanent tooLarge =
                new Attempt.Permanent(null, null, Attempt.Permanent.RESPONSE_TOO_LARGE, "too large", LATENCY);
        Attempt.Transient http503 = new Attempt.Transient(
                503, SERVER_ERROR, null, "the provider answered HTTP 503", LATENCY, Optional.empty());
        Attempt.Transient http503RetryAfter10s = withRetryAfter(http503, Duration.ofSeconds(10));
        Attempt.Transient http503RetryAfter1s = withRetryAfter(http503, Duration.ofSeconds(1));
        Attempt.Transient reset = new Attempt.Transient(
                null,
                null,
                Attempt.Transient.UPSTREAM_UNREACHABLE,
                "the connection to the provider failed",
                LATENCY,
                Optional.empty());
        Attempt.RateLimited silent429 = rateLimited(Optional.empty(), Optional.empty(), OptionalInt.empty());
        Attempt.RateLimited stricter429 =
                rateLimited(Optional.empty(), Optional.of(Limit.parse("10/60s")), OptionalInt.empty());
        Attempt.RateLimited looser429 =
                rateLimited(Optional.empty(), Optional.of(Limit.parse("20/60s")), OptionalInt.empty());
        Attempt.RateLimited shorterWindow429 =
                rateLimited(Optional.empty(), Optional.of(Limit.parse("3/20s")), OptionalInt.empty());
        Attempt.RateLimited header429 = rateLimited(Optional.empty(), Optional.empty(), OptionalInt.of(10));
        Attempt.RateLimited retryAfter90s429 =
                rateLimited(Optional.of(Duration.ofSeconds(90)), Optional.empty(), OptionalInt.empty());
        Attempt.RateLimited retryAfter5s429 =
                rateLimited(Optional.of(Duration.ofSeconds(5)), Optional.empty(), OptionalInt.empty());

        return Stream.of(
                arguments(
                        "success: finish succeeded, keeping the answer and its usage",
                        DEFAULTS,
                        success,
                        1,
                        0.5,
                        new Decision.Finish(true, new Outcome(200, ANSWER, null, null, 3, 4, 7, 120))),
                arguments(
                        "refusal (4xx): finish failed at once, attempts left or not",
                        DEFAULTS,
                        refusal,
                        1,
                        0.5,
                        new Decision.Finish(false, new Outcome(400, REFUSAL, null, null, null, null, null, 120))),
                arguments(
                        "answer over the size cap: finish failed at once with its code",
                        DEFAULTS,
                        tooLarge,
                        1,
                        0.5,
                        new Decision.Finish(
                                false,
                                new Outcome(null, null, "response_too_large", "too large", null, null, null, 120))),
                arguments(
                        "503 on attempt 1, roll 0.5: retry in 0.5 s (ceiling 1 s), attempt spent",
                        DEFAULTS,
                        http503,
                        1,
                        0.5,
                        new Decision.Retry(Duration.ofMillis(500), false)),
                arguments(
                        "503 on attempt 3, roll 0.5: retry in 2 s (ceiling 4 s)",
                        DEFAULTS,
                        http503,
                        3,
                        0.5,
                        new Decision.Retry(Duration.ofSeconds(2), false)),
                arguments(
                        "503 on attempt 3, roll 0: retry at once (full jitter reaches zero)",
                        DEFAULTS,
                        http503,
                        3,
                        0.0,
                        new Decision.Retry(Duration.ZERO, false)),
                arguments(
                        "503 on attempt 4 of 5, roll 0.999: retry in 7.992 s (ceiling 8 s)",
                        DEFAULTS,
                        http503,
                        4,
                        0.999,
                        new Decision.Retry(Duration.ofMillis(7_992), false)),
                arguments(
                        "503 with Retry-After 10 s longer than the backoff: honoured",
                        DEFAULTS,
                        http503RetryAfter10s,
                        3,
                        0.5,
                        new Decision.Retry(Duration.ofSeconds(10), false)),
                arguments(
                        "503 with Retry-After 1 s shorter than the backoff: the backoff",
                        DEFAULTS,
                        http503RetryAfter1s,
                        3,
                        0.5,
                        new Decision.Retry(Duration.ofSeconds(2), false)),
                arguments(
                        "503 on attempt 5 of 8, roll 0.999: 9.99 s (ceiling 16 s capped to 10 s)",
                        CAPPED,
                        http503,
                        5,
                        0.999,
                        new Decision.Retry(Duration.ofMillis(9_990), false)),
                arguments(
                        "503 on attempt 40 of 64, roll 0.5: 30 s (the doubling stops at the cap, no overflow)",
                        MANY,
                        http503,
                        40,
                        0.5,
                        new Decision.Retry(Duration.ofSeconds(30), false)),
                arguments(
                        "503 on attempt 2, roll 0.5: retry in 1 s (ceiling 2 s)",
                        DEFAULTS,
                        http503,
                        2,
                        0.5,
                        new Decision.Retry(Duration.ofSeconds(1), false)),
                arguments(
                        "503 on the last attempt: finish failed, keeping the 503",
                        DEFAULTS,
                        http503,
                        5,
                        0.5,
                        new Decision.Finish(false, new Outcome(503, SERVER_ERROR, null, null, null, null, null, 120))),
                arguments(
                        "503 past the last attempt (a lowered max-attempts): finish failed",
                        DEFAULTS,
                        http503,
                        7,
                        0.5,
                        new Decision.Finish(false, new Outcome(503, SERVER_ERROR, null, null, null, null, null, 120))),
                arguments(
                        "reset on the last attempt: finish failed with its code and message",
                        DEFAULTS,
                        reset,
                        5,
                        0.5,
                        new Decision.Finish(
                                false,
                                new Outcome(
                                        null,
                                        null,
                                        "upstream_unreachable",
                                        "the connection to the provider failed",
                                        null,
                                        null,
                                        null,
                                        120))),
                arguments(
                        "reset with attempts left: retry like a 5xx",
                        DEFAULTS,
                        reset,
                        2,
                        0.25,
                        new Decision.Retry(Duration.ofMillis(500), false)),
                arguments(
                        "429 teaching nothing: pause one window + margin, widen the margin",
                        DEFAULTS,
                        silent429,
                        1,
                        0.5,
                        new Decision.PauseModel(silent429, Duration.ofMillis(60_250), Optional.empty(), true)),
                arguments(
                        "429 on the last attempt: still a pause, never a failure",
                        DEFAULTS,
                        silent429,
                        5,
                        0.5,
                        new Decision.PauseModel(silent429, Duration.ofMillis(60_250), Optional.empty(), true)),
                arguments(
                        "429 stating a stricter 10/60s: learn it, pause 60.25 s, margin kept",
                        DEFAULTS,
                        stricter429,
                        1,
                        0.5,
                        new Decision.PauseModel(
                                stricter429, Duration.ofMillis(60_250), Optional.of(Limit.parse("10/60s")), false)),
                arguments(
                        "429 stating 3/20s: learn it, pause one of its windows, 20.25 s",
                        DEFAULTS,
                        shorterWindow429,
                        1,
                        0.5,
                        new Decision.PauseModel(
                                shorterWindow429, Duration.ofMillis(20_250), Optional.of(Limit.parse("3/20s")), false)),
                arguments(
                        "429 stating a looser 20/60s: 15/60s already enforces it, so nothing is learned; widen",
                        DEFAULTS,
                        looser429,
                        1,
                        0.5,
                        new Decision.PauseModel(looser429, Duration.ofMillis(60_250), Optional.empty(), true)),
                arguments(
                        "429 with x-ratelimit-limit-requests 10: learn 10 per the window in force",
                        DEFAULTS,
                        header429,
                        1,
                        0.5,
                        new Decision.PauseModel(
                                header429, Duration.ofMillis(60_250), Optional.of(Limit.parse("10/60s")), false)),
                arguments(
                        "429 with Retry-After 90 s: pause 90 s",
                        DEFAULTS,
                        retryAfter90s429,
                        1,
                        0.5,
                        new Decision.PauseModel(retryAfter90s429, Duration.ofSeconds(90), Optional.empty(), true)),
                arguments(
                        "429 with Retry-After 5 s, shorter than a window: pause 60.25 s",
                        DEFAULTS,
                        retryAfter5s429,
                        1,
                        0.5,
                        new Decision.PauseModel(retryAfter5s429, Duration.ofMillis(60_250), Optional.empty(), true)));
    }

    /** Requests per minute and 3,000 tokens per 6 s, with the default margin. */
    private static final RetryPolicy.Pacing TOKENS = new RetryPolicy.Pacing(
            LimitSet.configured(Limit.parse("15/60s"), Limit.parse("3000 tokens/6s")), Duration.ofMillis(250));

    @ParameterizedTest(name = "{0}")
    @MethodSource("limitSetRows")
    void judgesA429AgainstTheWholeSetInForce(
            String row, RetryPolicy.Pacing pacing, Attempt attempt, Decision expected) {
        assertThat(DEFAULTS.decide(attempt, 1, pacing, 0.5)).isEqualTo(expected);
    }

    static Stream<Arguments> limitSetRows() {
        Attempt.RateLimited sameRate429 =
                rateLimited(Optional.empty(), Optional.of(Limit.parse("2/3s")), OptionalInt.empty());
        Attempt.RateLimited tpm429 =
                rateLimited(Optional.empty(), Optional.of(Limit.parse("3000 tokens/1m")), OptionalInt.empty());
        Attempt.RateLimited tpmHeld429 =
                rateLimited(Optional.empty(), Optional.of(Limit.parse("3000 tokens/6s")), OptionalInt.empty());
        Attempt.RateLimited tokensWithRequestHeader429 = new Attempt.RateLimited(
                Optional.empty(),
                Optional.empty(),
                Optional.of(Limit.Unit.TOKENS),
                OptionalLong.of(5),
                OptionalLong.empty(),
                "{\"error\":{\"type\":\"tokens\"}}",
                LATENCY);
        return Stream.of(
                arguments(
                        "429 stating 2/3s under a configured 30/45s (the same rate): learn it, pause 3.25 s, margin kept",
                        new RetryPolicy.Pacing(LimitSet.configured(Limit.parse("30/45s")), Duration.ofMillis(250)),
                        sameRate429,
                        new Decision.PauseModel(
                                sameRate429, Duration.ofMillis(3_250), Optional.of(Limit.parse("2/3s")), false)),
                arguments(
                        "TPM 429 stating 3000 tokens per min: learn the token limit, never a request one",
                        PACING,
                        tpm429,
                        new Decision.PauseModel(
                                tpm429, Duration.ofMillis(60_250), Optional.of(Limit.parse("3000 tokens/1m")), false)),
                arguments(
                        "TPM 429 under a token limit that already holds: no lesson, no widening (the estimate was low)",
                        TOKENS,
                        tpmHeld429,
                        new Decision.PauseModel(tpmHeld429, Duration.ofMillis(6_250), Optional.empty(), false)),
                arguments(
                        "429 naming tokens with only x-ratelimit-limit-requests: teaches nothing about requests",
                        TOKENS,
                        tokensWithRequestHeader429,
                        new Decision.PauseModel(
                                tokensWithRequestHeader429, Duration.ofMillis(6_250), Optional.empty(), false)));
    }

    private static Attempt.Transient withRetryAfter(Attempt.Transient failure, Duration retryAfter) {
        return new Attempt.Transient(
                failure.status(),
                failure.body(),
                failure.errorCode(),
                failure.message(),
                failure.latency(),
                Optional.of(retryAfter));
    }

    private static Attempt.RateLimited rateLimited(
            Optional<Duration> retryAfter, Optional<Limit> stated, OptionalInt statedRequests) {
        return new Attempt.RateLimited(
                retryAfter,
                stated,
                stated.map(Limit::unit),
                statedRequests.isPresent() ? OptionalLong.of(statedRequests.getAsInt()) : OptionalLong.empty(),
                OptionalLong.empty(),
                "{\"error\":{\"code\":429}}",
                LATENCY);
    }
}
