package dev.sluice.api.batch;

import dev.sluice.api.web.ApiException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code completion_window}: OpenAI accepts only {@code 24h}; Sluice also accepts shorter windows
 * written {@code Nh} or {@code Nm}, from one minute up to {@code sluice.input.max-completion-window}.
 * What has not run when the window closes expires.
 */
final class CompletionWindow {

    /** The window when the client gives none, as OpenAI's. */
    static final String DEFAULT = "24h";

    private static final Pattern TEXT = Pattern.compile("(\\d{1,5})([hm])");
    private static final Duration MIN = Duration.ofMinutes(1);

    private CompletionWindow() {}

    /** The window's length; a 400 for anything not {@code Nh}/{@code Nm} within the bounds. */
    static Duration parse(String text, Duration max) {
        Matcher matcher = TEXT.matcher(text);
        if (matcher.matches()) {
            long amount = Long.parseLong(matcher.group(1));
            Duration window = matcher.group(2).equals("h") ? Duration.ofHours(amount) : Duration.ofMinutes(amount);
            if (window.compareTo(MIN) >= 0 && window.compareTo(max) <= 0) {
                return window;
            }
        }
        throw ApiException.invalid(
                "completion_window",
                "invalid_completion_window",
                "completion_window must be written like 24h or 30m, from 1m up to " + describe(max) + "; got '" + text
                        + "'.");
    }

    private static String describe(Duration max) {
        return max.toMinutes() % 60 == 0 ? max.toHours() + "h" : max.toMinutes() + "m";
    }
}
