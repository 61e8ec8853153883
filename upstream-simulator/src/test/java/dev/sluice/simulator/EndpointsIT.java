package dev.sluice.simulator;

import static dev.sluice.simulator.SimulatorClient.KEY;
import static dev.sluice.simulator.SimulatorClient.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.simulator.openai.Content;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The OpenAI shapes and the deterministic content rule. */
class EndpointsIT {

    private static Simulator sim;
    private static SimulatorClient client;

    @BeforeAll
    static void start() {
        sim = Simulator.start(SimulatorConfig.forTests()
                .withLimit("none")
                .withEmbeddings(true)
                .withCompletions(true));
        client = new SimulatorClient(sim);
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void listsTheSeedProviders58Models() {
        JsonNode list = SimulatorClient.json(client.get("/v1/models", KEY));
        assertThat(list.get("object").stringValue()).isEqualTo("list");
        assertThat(list.get("data")).hasSize(58);
        List<String> ids = new ArrayList<>();
        list.get("data").forEach(m -> {
            assertThat(m.get("object").stringValue()).isEqualTo("model");
            assertThat(m.get("created").isIntegralNumber()).isTrue();
            assertThat(m.get("id").stringValue()).startsWith(m.get("owned_by").stringValue() + "/");
            ids.add(m.get("id").stringValue());
        });
        assertThat(ids)
                .doesNotHaveDuplicates()
                .contains("openai/gpt-4o-mini", "anthropic/claude-3-5-haiku", "meta-llama/llama-3.1-8b-instruct");
    }

    @Test
    void extraModelsAreListedAndServedOnceConfigured() {
        String added = "acme/brand-new";
        assertThat(client.send(client.post("/v1/chat/completions", KEY, SimulatorClient.chatBody(added, "hi")))
                        .statusCode())
                .isEqualTo(400);
        try {
            assertThat(client.putConfig("{\"extra_models\": \"acme/brand-new, openai/gpt-4o-mini\"}")
                            .statusCode())
                    .isEqualTo(200);
            JsonNode list = SimulatorClient.json(client.get("/v1/models", KEY));
            assertThat(list.get("data")).hasSize(59);
            JsonNode last = list.get("data").get(58);
            assertThat(last.get("id").stringValue()).isEqualTo(added);
            assertThat(last.get("owned_by").stringValue()).isEqualTo("acme");
            assertThat(client.get("/v1/models/acme/brand-new", KEY).statusCode())
                    .isEqualTo(200);
            assertThat(client.send(client.post("/v1/chat/completions", KEY, SimulatorClient.chatBody(added, "hi")))
                            .statusCode())
                    .isEqualTo(200);
        } finally {
            client.putConfig("{\"extra_models\": \"none\"}");
        }
        assertThat(SimulatorClient.json(client.get("/v1/models", KEY)).get("data"))
                .hasSize(58);
    }

    @Test
    void getsOneModelWhoseIdHasASlash() {
        HttpResponse<String> response = client.get("/v1/models/meta-llama/llama-3.1-8b-instruct", KEY);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(SimulatorClient.json(response).get("id").stringValue())
                .isEqualTo("meta-llama/llama-3.1-8b-instruct");
        assertThat(client.get("/v1/models/meta-llama%2Fllama-3.1-8b-instruct", KEY)
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void chatCompletionEchoesTheLastUserMessage() {
        HttpResponse<String> response = client.chat(KEY, MODEL);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = SimulatorClient.json(response);
        assertThat(body.get("id").stringValue()).startsWith("chatcmpl-");
        assertThat(body.get("object").stringValue()).isEqualTo("chat.completion");
        assertThat(body.get("created").longValue()).isPositive();
        assertThat(body.get("model").stringValue()).isEqualTo(MODEL);
        JsonNode choice = body.get("choices").get(0);
        assertThat(choice.get("index").intValue()).isZero();
        assertThat(choice.get("finish_reason").stringValue()).isEqualTo("stop");
        assertThat(choice.get("message").get("role").stringValue()).isEqualTo("assistant");
        assertThat(choice.get("message").get("content").stringValue()).isEqualTo("echo: hello there");
        // prompt "be brief" + "hello there" = 4 words; "echo: hello there" = 3
        assertThat(body.get("usage").toString())
                .isEqualTo("{\"prompt_tokens\":4,\"completion_tokens\":3,\"total_tokens\":7}");
    }

    @Test
    void textCompletionHasOneChoicePerPrompt() {
        HttpResponse<String> response = client.send(client.post(
                "/v1/completions",
                KEY,
                "{\"model\": \"openai/gpt-3.5-turbo-instruct\", \"prompt\": [\"one\", \"two words\"]}"));
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = SimulatorClient.json(response);
        assertThat(body.get("id").stringValue()).startsWith("cmpl-");
        assertThat(body.get("object").stringValue()).isEqualTo("text_completion");
        assertThat(body.get("choices").get(1).get("text").stringValue()).isEqualTo("echo: two words");
        assertThat(body.get("choices").get(1).get("index").intValue()).isEqualTo(1);
        assertThat(body.get("usage").get("total_tokens").intValue()).isEqualTo(3 + 5);
        assertThat(client.send(client.post("/v1/completions", KEY, "{\"model\": \"" + MODEL + "\"}"))
                        .statusCode())
                .isEqualTo(400);
    }

    @Test
    void embeddingsAreOnePerInputAndDeterministic() {
        HttpResponse<String> response = client.send(client.post(
                "/v1/embeddings",
                KEY,
                "{\"model\": \"openai/text-embedding-3-small\", \"input\": [\"alpha\", \"beta gamma\"]}"));
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = SimulatorClient.json(response);
        assertThat(body.get("object").stringValue()).isEqualTo("list");
        assertThat(body.get("model").stringValue()).isEqualTo("openai/text-embedding-3-small");
        assertThat(body.get("data")).hasSize(2);
        JsonNode second = body.get("data").get(1);
        assertThat(second.get("object").stringValue()).isEqualTo("embedding");
        assertThat(second.get("index").intValue()).isEqualTo(1);
        assertThat(second.get("embedding")).hasSize(8);
        assertThat(second.get("embedding").get(0).floatValue()).isEqualTo(Content.embedding("beta gamma", 8)[0]);
        assertThat(body.get("usage").toString()).isEqualTo("{\"prompt_tokens\":3,\"total_tokens\":3}");
    }

    @Test
    void embeddingsHonourDimensionsAndBase64() {
        JsonNode body = SimulatorClient.json(client.send(client.post(
                "/v1/embeddings",
                KEY,
                "{\"model\": \"" + MODEL
                        + "\", \"input\": \"alpha\", \"dimensions\": 3, \"encoding_format\": \"base64\"}")));
        byte[] bytes = Base64.getDecoder()
                .decode(body.get("data").get(0).get("embedding").stringValue());
        ByteBuffer floats = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(bytes).hasSize(12);
        assertThat(new float[] {floats.getFloat(), floats.getFloat(), floats.getFloat()})
                .isEqualTo(Content.embedding("alpha", 3));
        assertThat(client.send(client.post("/v1/embeddings", KEY, "{\"model\": \"" + MODEL + "\", \"input\": [1]}"))
                        .statusCode())
                .isEqualTo(400);
    }
}
