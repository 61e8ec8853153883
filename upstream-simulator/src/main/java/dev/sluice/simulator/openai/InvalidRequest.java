package dev.sluice.simulator.openai;

import dev.sluice.simulator.http.OpenAiError;

/** A request the provider refuses before it reaches the limiter: answered with {@code status} and no budget used. */
final class InvalidRequest extends RuntimeException {

    private final int status;
    private final OpenAiError error;

    private InvalidRequest(int status, OpenAiError error) {
        super(error.error().message(), null, false, false);
        this.status = status;
        this.error = error;
    }

    static InvalidRequest badJson() {
        return new InvalidRequest(
                400,
                OpenAiError.invalidRequest(
                        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your "
                                + "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not "
                                + "valid JSON.)",
                        null,
                        null));
    }

    static InvalidRequest missing(String param) {
        return new InvalidRequest(
                400,
                OpenAiError.invalidRequest(
                        "Missing required parameter: '" + param + "'.", param, "missing_required_parameter"));
    }

    static InvalidRequest invalid(String param, String why) {
        return new InvalidRequest(
                400, OpenAiError.invalidRequest("Invalid '" + param + "': " + why, param, "invalid_value"));
    }

    /** 400 on the completion endpoints, as the seed provider does; {@code GET /v1/models/{id}} makes it 404. */
    static InvalidRequest unknownModel(String model, int status) {
        return new InvalidRequest(
                status,
                OpenAiError.invalidRequest(
                        "The model `" + model + "` does not exist or you do not have access to it.",
                        "model",
                        "model_not_found"));
    }

    int status() {
        return status;
    }

    OpenAiError error() {
        return error;
    }
}
