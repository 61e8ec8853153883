package dev.sluice.simulator;

import static dev.sluice.simulator.SimulatorClient.KEY;
import static dev.sluice.simulator.SimulatorClient.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** 401, 400, 404 and 405, all as OpenAI error objects; none of them uses budget. */
class ValidationIT {

    private static Simulator sim;
    private static SimulatorClient client;

    @BeforeAll
    static void start() {
        sim = Simulator.start(SimulatorConfig.forTests().withLimit("1/60s"));
        client = new SimulatorClient(sim);
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bearer ", "Bearer    ", "Basic c2stdGVzdA==", "sk-test"})
    void withoutABearerKeyIs401(String authorization) {
        HttpRequest.Builder request = client.request("/v1/chat/completions")
                .POST(HttpRequest.BodyPublishers.ofString(SimulatorClient.chatBody(MODEL, "hi")));
        if (!authorization.isEmpty()) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = client.send(request.build());
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(assertError(response, "invalid_request_error", null)
                        .get("code")
                        .stringValue())
                .isEqualTo("invalid_api_key");
        assertThat(client.get("/v1/models", null).statusCode()).isEqualTo(401);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            nullValues = "null",
            value = {
                "{not json                                                   | null",
                "[1, 2]                                                      | null",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]} | model",
                "{\"model\": 7, \"messages\": []}                            | model",
                "{\"model\": \"no/such-model\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]} | model",
                "{\"model\": \"openai/gpt-4o-mini\"}                         | messages",
                "{\"model\": \"openai/gpt-4o-mini\", \"messages\": []}       | messages",
                "{\"model\": \"openai/gpt-4o-mini\", \"messages\": [\"hi\"]} | messages[0]",
                "{\"model\": \"openai/gpt-4o-mini\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}], \"stream\": 1} | stream"
            })
    void invalidChatRequestsAre400(String body, String param) {
        HttpResponse<String> response = client.send(client.post("/v1/chat/completions", KEY, body));
        assertThat(response.statusCode()).isEqualTo(400);
        assertError(response, "invalid_request_error", param);
    }

    @Test
    void unknownModelSaysSo() {
        HttpResponse<String> response =
                client.send(client.post("/v1/chat/completions", KEY, SimulatorClient.chatBody("no/such-model", "hi")));
        assertThat(assertError(response, "invalid_request_error", "model")
                        .get("code")
                        .stringValue())
                .isEqualTo("model_not_found");
        assertThat(client.get("/v1/models/no/such-model", KEY).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/embeddings", "/v1/completions", "/v1/nope", "/", "/__nope"})
    void disabledEndpointsAndUnknownPathsAre404(String path) {
        HttpResponse<String> response = client.send(client.post(path, KEY, "{\"model\": \"" + MODEL + "\"}"));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(assertError(response, "invalid_request_error", null)
                        .get("message")
                        .stringValue())
                .isEqualTo("Invalid URL (POST " + path + ")");
    }

    @Test
    void wrongMethodIs405() {
        HttpResponse<String> response = client.get("/v1/chat/completions", KEY);
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void rejectedRequestsUsedNoBudget() {
        sim.reset();
        client.send(client.post("/v1/chat/completions", KEY, "{}"));
        assertThat(client.chat(KEY, MODEL).statusCode()).isEqualTo(200);
        assertThat(sim.stats().totals().invalidRequest()).isEqualTo(1);
    }

    private static JsonNode assertError(HttpResponse<String> response, String type, String param) {
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode error = SimulatorClient.json(response).get("error");
        assertThat(error.get("message").stringValue()).isNotBlank();
        assertThat(error.get("type").stringValue()).isEqualTo(type);
        assertThat(error.has("param")).isTrue();
        assertThat(error.get("param").isNull() ? null : error.get("param").stringValue())
                .isEqualTo(param);
        assertThat(error.has("code")).isTrue();
        return error;
    }
}
