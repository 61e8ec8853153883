package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.Uploads.anUpload;
import static dev.sluice.api.Uploads.chatLine;
import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import dev.sluice.common.Ids;
import dev.sluice.common.Queues;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * The model registry against the upstream simulator's real {@code GET /v1/models}: a model neither the provider
 * lists nor an operator allowed is refused with 400 {@code model_not_found} naming the parameter — for a single
 * job, a facade call and the line of a batch — and leaves no batch, job, model row, queue or metric behind; models
 * the provider lists, those in {@code SLUICE_MODELS} ({@code m} here) and those allowed through
 * {@code /admin/models} are accepted; a model the provider starts listing is usable at once.
 */
class ModelRegistryIT extends ApiTestBase {

    private static final String LISTED = "openai/gpt-4o-mini";

    @Autowired
    ConnectionFactory connections;

    @Autowired
    MeterRegistry meters;

    @AfterEach
    void providerListsItsOwnModelsAgain() {
        SIMULATOR.update(config -> config.withExtraModels(List.of()));
    }

    @Test
    void aSingleJobForAnUnknownModelIsRefusedAndLeavesNothing() {
        String key = newTenantKey();
        String unknown = "nobody/made-up-" + Ids.random(6);
        long jobs = rows("jobs");

        Reply refused = expect(
                400,
                post(
                        "/v1/jobs",
                        key,
                        "{\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"" + unknown
                                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}"));

        assertModelNotFound(refused, "body.model", unknown);
        assertThat(rows("jobs")).isEqualTo(jobs);
        assertLeftNoTrace(unknown);
    }

    @Test
    void aFacadeCallForAnUnknownModelIsRefusedBeforeItIsQueuedOrCounted() {
        String key = newTenantKey();
        String unknown = "nobody/made-up-" + Ids.random(6);
        long jobs = rows("jobs");

        Reply refused = expect(
                400,
                post(
                        "/v1/chat/completions",
                        key,
                        "{\"model\":\"" + unknown + "\",\"temperature\":0,\"messages\":[{\"role\":\"user\","
                                + "\"content\":\"hi\"}]}"));

        assertModelNotFound(refused, "model", unknown);
        assertThat(rows("jobs")).isEqualTo(jobs);
        assertLeftNoTrace(unknown);
    }

    @Test
    void anInlineBatchWithOneUnknownModelIsRefusedNamingTheLineAndStoresNothing() {
        String key = newTenantKey();
        String good = uniqueModel("registry-good");
        String unknown = "nobody/made-up-" + Ids.random(6);
        long batches = rows("batches");
        long jobs = rows("jobs");

        Reply refused = expect(
                400,
                post(
                        "/v1/batches",
                        key,
                        aChatBatch()
                                .requests(2, good)
                                .request("bad", unknown)
                                .request("after", good)
                                .json()));

        assertModelNotFound(refused, "requests[2].body.model", unknown);
        assertThat(refused.error().get("message").asString()).contains("line 3 of the batch");
        assertThat(rows("batches")).isEqualTo(batches);
        assertThat(rows("jobs")).isEqualTo(jobs);
        assertLeftNoTrace(unknown);
        assertThat(queueExists(good)).as("the good lines' queue").isFalse();
        assertThat(modelRows(good)).isZero();
    }

    @Test
    void aBatchFromAFileWithAnUnknownModelIsRefusedNamingTheFileLine() {
        String key = newTenantKey();
        String unknown = "nobody/made-up-" + Ids.random(6);
        String fileId = expect(
                        200,
                        send(anUpload()
                                .file("in.jsonl", chatLine("ok", LISTED) + "\n" + chatLine("bad", unknown) + "\n")
                                .request(request("/v1/files", key))))
                .json()
                .get("id")
                .asString();
        long batches = rows("batches");
        long jobs = rows("jobs");

        Reply refused = expect(
                400,
                post(
                        "/v1/batches",
                        key,
                        "{\"input_file_id\":\"" + fileId
                                + "\",\"endpoint\":\"/v1/chat/completions\",\"completion_window\":\"24h\"}"));

        assertModelNotFound(refused, "line[2].body.model", unknown);
        assertThat(rows("batches")).isEqualTo(batches);
        assertThat(rows("jobs")).isEqualTo(jobs);
        assertLeftNoTrace(unknown);
    }

    @Test
    void listedConfiguredAndAdminAllowedModelsAreAcceptedAndAWithdrawnOneNoLonger() {
        String key = newTenantKey();
        expect(202, post("/v1/jobs", key, job(LISTED)));
        expect(202, post("/v1/jobs", key, job("m")));

        String allowed = "acme/private-" + Ids.random(6);
        expect(400, post("/v1/jobs", key, job(allowed)));
        Reply added = expect(201, post("/admin/models", ADMIN_KEY, "{\"model\":\"" + allowed + "\"}"));
        assertThat(added.json().get("sources").toString()).isEqualTo("[\"operator\"]");
        expect(200, post("/admin/models", ADMIN_KEY, "{\"model\":\"" + allowed + "\"}"));
        expect(202, post("/v1/jobs", key, job(allowed)));

        JsonNode listed = expect(200, get("/admin/models", ADMIN_KEY)).json();
        assertThat(listed.get("provider_list_read").asBoolean()).isTrue();
        assertThat(source(listed, LISTED)).isEqualTo("[\"provider\"]");
        assertThat(source(listed, "m")).isEqualTo("[\"operator\"]");
        assertThat(source(listed, allowed)).isEqualTo("[\"operator\"]");

        Reply withdrawn = expect(200, delete("/admin/models/" + allowed, ADMIN_KEY));
        assertThat(withdrawn.json().get("sources")).isEmpty();
        assertModelNotFound(expect(400, post("/v1/jobs", key, job(allowed))), "body.model", allowed);
        expect(404, delete("/admin/models/" + allowed, ADMIN_KEY));
        assertThat(expect(409, delete("/admin/models/m", ADMIN_KEY))
                        .error()
                        .get("code")
                        .asString())
                .isEqualTo("model_configured");
        expect(403, get("/admin/models", key));
    }

    @Test
    void aModelTheProviderStartsListingIsUsableAtOnce() {
        String key = newTenantKey();
        String added = "acme/brand-new-" + Ids.random(6);
        expect(400, post("/v1/jobs", key, job(added)));

        SIMULATOR.update(config -> config.withExtraModels(List.of(added)));

        expect(202, post("/v1/jobs", key, job(added)));
        assertThat(source(expect(200, get("/admin/models", ADMIN_KEY)).json(), added))
                .isEqualTo("[\"provider\"]");
        assertThat(modelRows(added)).isOne();
    }

    private static String job(String model) {
        return "{\"url\":\"/v1/chat/completions\",\"body\":{\"model\":\"" + model
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}}";
    }

    private static String source(JsonNode list, String model) {
        for (JsonNode entry : list.get("data")) {
            if (entry.get("id").asString().equals(model)) {
                return entry.get("sources").toString();
            }
        }
        return null;
    }

    private static void assertModelNotFound(Reply refused, String param, String model) {
        assertThat(refused.error().get("code").asString()).isEqualTo("model_not_found");
        assertThat(refused.error().get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(refused.error().get("param").asString()).isEqualTo(param);
        assertThat(refused.error().get("message").asString()).contains(model);
    }

    /** No model row, no queue, no metric tagged with the model. */
    private void assertLeftNoTrace(String model) {
        assertThat(modelRows(model)).as("models rows").isZero();
        assertThat(queueExists(model)).as("queue of %s", model).isFalse();
        List<Meter> tagged = meters.getMeters().stream()
                .filter(meter -> model.equals(meter.getId().getTag("model")))
                .toList();
        assertThat(tagged).as("meters tagged with the model").isEmpty();
    }

    private long modelRows(String model) {
        return jdbc.sql("SELECT count(*) FROM models WHERE model = :model")
                .param("model", model)
                .query(Long.class)
                .single();
    }

    /** Whether any tenant has a lane (row or queue) for the model. */
    private boolean queueExists(String model) {
        if (jdbc.sql("SELECT count(*) FROM lanes WHERE model = :model")
                        .param("model", model)
                        .query(Long.class)
                        .single()
                > 0) {
            return true;
        }
        for (String tenantId :
                jdbc.sql("SELECT id FROM tenants").query(String.class).list()) {
            if (laneQueueExists(Queues.forLane(model, tenantId))) {
                return true;
            }
        }
        return false;
    }

    /** A passive declare on a channel of its own: the broker closes the channel when the queue does not exist. */
    private boolean laneQueueExists(String queue) {
        Connection connection = connections.createConnection();
        Channel channel = connection.createChannel(false);
        try {
            channel.queueDeclarePassive(queue);
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            try {
                channel.close();
            } catch (IOException | TimeoutException | RuntimeException alreadyClosed) {
                // The broker closed it on the 404.
            }
        }
    }
}
