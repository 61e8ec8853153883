package dev.sluice.simulator.http;

/**
 * OpenAI's error object, {@code {"error": {"message", "type", "param", "code"}}}.
 *
 * @param error the fields; {@code param} and {@code code} may be null, as OpenAI sends them
 */
public record OpenAiError(Body error) {

    /** The inner object. */
    public record Body(String message, String type, String param, String code) {}

    /** A client error: {@code type} is {@code invalid_request_error}. */
    public static OpenAiError invalidRequest(String message, String param, String code) {
        return new OpenAiError(new Body(message, "invalid_request_error", param, code));
    }

    /** Any other kind. */
    public static OpenAiError of(String message, String type, String param, String code) {
        return new OpenAiError(new Body(message, type, param, code));
    }
}
