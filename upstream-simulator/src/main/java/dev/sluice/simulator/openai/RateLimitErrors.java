package dev.sluice.simulator.openai;

import dev.sluice.simulator.http.OpenAiError;
import dev.sluice.simulator.limit.Admission;
import dev.sluice.simulator.limit.Limit;
import dev.sluice.simulator.limit.WindowState;
import java.time.Duration;

/** The 429 bodies, one per window that can refuse a request, in the words of the provider it imitates. */
final class RateLimitErrors {

    private static final String RATE_LIMITS = "Visit https://platform.openai.com/account/rate-limits to learn more.";
    private static final String ORGANIZATION = "org-sim";

    private RateLimitErrors() {}

    /** The error for {@code rejected}, a request for {@code model}. */
    static OpenAiError of(Admission.Rejected rejected, String model) {
        WindowState refused = rejected.refused();
        return switch (rejected.refusal()) {
            case REQUESTS -> requests(limit(refused), "UserByModelByMinute");
            case EXTRA -> requests(limit(refused), extraSuffix(refused.window()));
            case TOKENS ->
                rejected.retryAfter() == null
                        ? tooLarge(model, refused.limit(), refused.window(), rejected.requestedTokens())
                        : tokens(
                                model,
                                refused.limit(),
                                refused.window(),
                                refused.used(),
                                rejected.requestedTokens(),
                                rejected.retryAfter());
        };
    }

    /** The seed provider's 429 text, with N and W of the limit: {@code Rate limit of 15 per 60s exceeded for ...}. */
    static OpenAiError requests(Limit limit, String suffix) {
        return OpenAiError.of(
                "Rate limit of " + limit.requests() + " per " + limit.windowText() + " exceeded for " + suffix,
                "requests",
                null,
                "rate_limit_exceeded");
    }

    /**
     * The extra window's name in its 429, by its length: {@code UserByModelByDay} from one day up,
     * {@code UserByModelByHour} from one hour, else {@code UserByModelByMinute}, as the seed provider names
     * its per-minute one.
     */
    static String extraSuffix(Duration window) {
        if (window.compareTo(Duration.ofDays(1)) >= 0) {
            return "UserByModelByDay";
        }
        return window.compareTo(Duration.ofHours(1)) >= 0 ? "UserByModelByHour" : "UserByModelByMinute";
    }

    /**
     * How a TPM 429 names its window: {@code min} for OpenAI's minute, else the shortened window's length
     * ({@code 6s}), so that the text never states a limit other than the one enforced.
     */
    static String per(Duration window) {
        if (window.equals(Duration.ofMinutes(1))) {
            return "min";
        }
        long millis = window.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
    }

    /** OpenAI's TPM 429. */
    static OpenAiError tokens(
            String model, long limit, Duration window, long used, long requested, Duration retryAfter) {
        return OpenAiError.of(
                "Rate limit reached for " + model + " in organization " + ORGANIZATION
                        + " on tokens per " + per(window) + " (TPM): Limit " + limit + ", Used " + used + ", Requested "
                        + requested
                        + ". Please try again in " + RateLimitHeaders.format(retryAfter) + ". " + RATE_LIMITS,
                "tokens",
                null,
                "rate_limit_exceeded");
    }

    /** OpenAI's 429 for a request that asks for more tokens than the whole budget: no wait will help. */
    static OpenAiError tooLarge(String model, long limit, Duration window, long requested) {
        return OpenAiError.of(
                "Request too large for " + model + " in organization " + ORGANIZATION
                        + " on tokens per " + per(window) + " (TPM): Limit " + limit + ", Requested " + requested
                        + ". The input or output tokens must be reduced in order to run successfully. " + RATE_LIMITS,
                "tokens",
                null,
                "rate_limit_exceeded");
    }

    private static Limit limit(WindowState state) {
        return Limit.of((int) state.limit(), state.window());
    }
}
