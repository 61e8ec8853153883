package dev.sluice.simulator.limit;

import java.time.Duration;
import java.util.Objects;

/**
 * A token budget: at most {@code tokens} charged per {@code window} per API key per model, as OpenAI's
 * tokens-per-minute (TPM) limit. {@code tokens} 0 turns it off.
 *
 * @param tokens how many tokens fit in one window; 0 means unlimited
 * @param window the window length; positive when {@code tokens} is
 */
public record TokenLimit(long tokens, Duration window) {

    public TokenLimit {
        Objects.requireNonNull(window, "window");
        if (tokens < 0) {
            throw new IllegalArgumentException("tokens must be >= 0, got " + tokens);
        }
        if (tokens > 0 && !window.isPositive()) {
            throw new IllegalArgumentException("window must be positive, got " + window);
        }
    }

    /** No token budget. */
    public static TokenLimit unlimited() {
        return new TokenLimit(0, Duration.ofSeconds(60));
    }

    /** True when no token budget applies. */
    public boolean isUnlimited() {
        return tokens == 0;
    }

    /** {@code 30000/60s}, or {@code none}. */
    @Override
    public String toString() {
        return isUnlimited() ? "none" : tokens + "/" + Limit.of(1, window).windowText();
    }
}
