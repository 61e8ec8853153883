package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static dev.sluice.api.Uploads.anUpload;
import static dev.sluice.api.Uploads.chatLines;
import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.sluice.testsupport.TestSecrets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps the API description at {@code /v3/api-docs} true: every route Spring MVC serves is in it and every path
 * in it is served, and real responses (and the requests that made them) validate against the schema the document
 * gives for that operation and status, with a JSON Schema 2020-12 validator. The schemas are checked closed
 * (a property the document does not list fails), unless the document itself says an object is open.
 */
class OpenApiDocumentIT extends ApiTestBase {

    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedPathIsServed() {
        Set<String> served = new TreeSet<>();
        for (Map.Entry<RequestMappingInfo, HandlerMethod> entry :
                mappings.getHandlerMethods().entrySet()) {
            if (entry.getValue().getBeanType().getPackageName().startsWith("org.springdoc")) {
                continue;
            }
            for (String pattern : entry.getKey().getPatternValues()) {
                if (pattern.startsWith("/error") || pattern.startsWith("/dashboard")) {
                    continue;
                }
                entry.getKey()
                        .getMethodsCondition()
                        .getMethods()
                        .forEach(method -> served.add(method.name() + " " + normalised(pattern)));
            }
        }
        Set<String> documented = new TreeSet<>();
        document()
                .get("paths")
                .properties()
                .forEach(path -> path.getValue().propertyNames().stream()
                        .filter(method ->
                                Set.of("get", "put", "post", "delete", "patch").contains(method))
                        .forEach(method -> documented.add(method.toUpperCase() + " " + normalised(path.getKey()))));

        assertThat(served).as("routes").hasSizeGreaterThan(30);
        assertThat(documented).as("documented operations").containsExactlyInAnyOrderElementsOf(served);
    }

    @Test
    void theDocumentAndItsPageArePublicAndHoldNoSecret() {
        Reply doc = expect(200, get("/v3/api-docs", null));
        assertThat(doc.json().get("openapi").asString()).startsWith("3.1");
        assertThat(doc.json().at("/components/securitySchemes/apiKey/scheme").asString())
                .isEqualTo("bearer");
        assertThat(doc.json().at("/paths/~1v1~1batches/post/security/0").has("apiKey"))
                .isTrue();
        assertThat(doc.json().at("/paths/~1admin~1queues/get/security/0").has("adminKey"))
                .isTrue();
        JsonNode chat = doc.json().at("/paths/~1v1~1chat~1completions/post");
        assertThat(chat.at("/requestBody/content/application~1json/schema/$ref").asString())
                .endsWith("/ChatCompletionRequest");
        assertThat(chat.at("/responses/200/content/application~1json/schema/$ref")
                        .asString())
                .endsWith("/ChatCompletion");
        assertThat(chat.at("/responses/200/content").has("text/event-stream")).isTrue();
        assertThat(chat.at("/responses/504/content/application~1json/schema/$ref")
                        .asString())
                .endsWith("/Error");
        assertThat(chat.get("parameters").findValuesAsString("name")).contains("X-Sluice-Max-Wait");
        for (String create : List.of("/paths/~1v1~1jobs/post", "/paths/~1v1~1batches/post")) {
            JsonNode operation = doc.json().at(create);
            assertThat(operation.get("summary").asString()).isNotBlank();
            assertThat(operation.get("parameters").findValuesAsString("name")).contains("Idempotency-Key");
            assertThat(operation
                            .at("/requestBody/content/application~1json/schema/$ref")
                            .asString())
                    .isNotBlank();
            assertThat(operation.at("/responses/409/description").asString()).contains("Idempotency-Key");
        }
        assertThat(doc.body()).doesNotContain(ADMIN_KEY, TestSecrets.ENCRYPTION_KEY, "sk-local");
        assertThat(expect(200, get("/v3/api-docs.yaml", null)).body()).startsWith("openapi: 3.1");
        assertThat(expect(200, get("/swagger-ui/index.html", null)).contentType())
                .startsWith("text/html");
        assertThat(expect(200, get("/swagger-ui/swagger-ui-bundle.js", null)).body())
                .contains("SwaggerUIBundle");
        assertThat(expect(200, get("/v3/api-docs/swagger-config", null))
                        .json()
                        .get("url")
                        .asString())
                .isEqualTo("/v3/api-docs");
        assertThat(send(request("/swagger-ui.html", null).GET().build()).status())
                .isEqualTo(302);
    }

    @Test
    void realResponsesHaveTheDocumentedShapes() {
        String createKey = "{\"name\":\"openapi\"}";
        conformsRequest("post", "/admin/api-keys", createKey);
        JsonNode tenant = conforms("post", "/admin/api-keys", post("/admin/api-keys", ADMIN_KEY, createKey), 201);
        String key = tenant.get("key").asString();
        String model = uniqueModel("openapi");

        String inline = aChatBatch()
                .requests(2, model)
                .with("metadata", Map.of("team", "docs"))
                .json();
        conformsRequest("post", "/v1/batches", inline);
        String batchId = conforms("post", "/v1/batches", post("/v1/batches", key, inline), 200)
                .get("id")
                .asString();
        conforms("get", "/v1/batches/{id}", get("/v1/batches/" + batchId, key), 200);
        conforms("get", "/v1/batches", get("/v1/batches?limit=5", key), 200);
        conforms("get", "/v1/batches/{batchId}/jobs", get("/v1/batches/" + batchId + "/jobs", key), 200);
        conforms(
                "get",
                "/v1/batches/{id}/webhook_deliveries",
                get("/v1/batches/" + batchId + "/webhook_deliveries", key),
                200);

        Reply uploaded = send(anUpload().file("in.jsonl", chatLines(2, model)).request(request("/v1/files", key)));
        String fileId = conforms("post", "/v1/files", uploaded, 200).get("id").asString();
        conforms("get", "/v1/files/{id}", get("/v1/files/" + fileId, key), 200);
        conforms("get", "/v1/files", get("/v1/files", key), 200);
        String fromFile = "{\"input_file_id\":\"" + fileId + "\",\"endpoint\":\"/v1/chat/completions\","
                + "\"completion_window\":\"24h\"}";
        conformsRequest("post", "/v1/batches", fromFile);
        conforms("post", "/v1/batches", post("/v1/batches", key, fromFile), 200);

        String job = "{\"url\":\"/v1/chat/completions\",\"custom_id\":\"one\",\"priority\":3,\"body\":{\"model\":\""
                + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}}";
        conformsRequest("post", "/v1/jobs", job);
        String jobId = conforms("post", "/v1/jobs", post("/v1/jobs", key, job), 202)
                .get("id")
                .asString();
        conforms("get", "/v1/jobs/{id}", get("/v1/jobs/" + jobId, key), 200);
        conforms("post", "/v1/jobs/{id}/cancel", post("/v1/jobs/" + jobId + "/cancel", key, ""), 200);

        conforms("post", "/v1/batches", post("/v1/batches", key, "{\"endpoint\":\"/v1/nope\"}"), 400);
        conforms("get", "/v1/batches/{id}", get("/v1/batches/batch_missing", key), 404);
        conforms("get", "/v1/batches", get("/v1/batches", null), 401);
        conforms("delete", "/v1/files/{id}", delete("/v1/files/" + fileId, key), 200);

        String limit = "{\"model\":\"" + model + "\",\"requests\":30,\"per_seconds\":1.5}";
        conformsRequest("put", "/admin/limits", limit);
        conforms("put", "/admin/limits", put("/admin/limits", ADMIN_KEY, limit), 200);
        conforms("get", "/admin/limits", get("/admin/limits", ADMIN_KEY), 200);
        conforms("get", "/admin/queues", get("/admin/queues", ADMIN_KEY), 200);
        conforms("get", "/admin/jobs", get("/admin/jobs?limit=5", ADMIN_KEY), 200);
        conforms("get", "/admin/api-keys", get("/admin/api-keys", ADMIN_KEY), 200);
        conforms("get", "/admin/usage", get("/admin/usage", ADMIN_KEY), 200);
        conforms("get", "/admin/rate-limit-events", get("/admin/rate-limit-events", ADMIN_KEY), 200);
        String retry = "{\"status\":\"failed\",\"model\":\"" + model + "\",\"limit\":10}";
        conformsRequest("post", "/admin/jobs/retry", retry);
        conforms("post", "/admin/jobs/retry", post("/admin/jobs/retry", ADMIN_KEY, retry), 200);
        conforms("get", "/admin/queues", get("/admin/queues", key), 403);
        String allowed = "{\"model\":\"acme/documented-" + dev.sluice.common.Ids.random(4) + "\"}";
        conformsRequest("post", "/admin/models", allowed);
        conforms("post", "/admin/models", post("/admin/models", ADMIN_KEY, allowed), 201);
        conforms("post", "/admin/models", post("/admin/models", ADMIN_KEY, allowed), 200);
        conforms("get", "/admin/models", get("/admin/models", ADMIN_KEY), 200);

        String tenantId = tenant.get("tenant_id").asString();
        String change = "{\"weight\":2,\"quotas\":{\"queued_jobs\":5,\"stored_bytes\":null}}";
        conformsRequest("patch", "/admin/tenants/{id}", change);
        conforms("patch", "/admin/tenants/{id}", patch("/admin/tenants/" + tenantId, ADMIN_KEY, change), 200);
        conforms("get", "/admin/tenants", get("/admin/tenants", ADMIN_KEY), 200);
        conforms("get", "/admin/tenants/{id}", get("/admin/tenants/" + tenantId, ADMIN_KEY), 200);
        conforms(
                "post",
                "/v1/batches",
                post("/v1/batches", key, aChatBatch().requests(6, model).json()),
                429);
    }

    /** The response's JSON validates against the document's schema for the operation and status. */
    private JsonNode conforms(String method, String path, Reply reply, int status) {
        expect(status, reply);
        JsonNode responses = operation(method, path).get("responses");
        JsonNode response = responses.has(String.valueOf(status))
                ? responses.get(String.valueOf(status))
                : responses.get("default");
        assertThat(response).as("%s %s documents %s", method, path, status).isNotNull();
        JsonNode schema = response.at("/content/application~1json/schema");
        assertThat(schema.isMissingNode())
                .as("%s %s %s has a JSON schema", method, path, status)
                .isFalse();
        assertValid(schema, reply.json(), method + " " + path + " " + status);
        return reply.json();
    }

    /** A request body the API accepts validates against the document's request schema. */
    private void conformsRequest(String method, String path, String body) {
        JsonNode schema = operation(method, path).at("/requestBody/content/application~1json/schema");
        assertThat(schema.isMissingNode())
                .as("%s %s documents its body", method, path)
                .isFalse();
        assertValid(schema, JSON.readTree(body), "request of " + method + " " + path);
    }

    private void assertValid(JsonNode schema, JsonNode instance, String what) {
        ObjectNode root = closed(document());
        root.put("$schema", SpecificationVersion.DRAFT_2020_12.getDialectId());
        root.setAll((ObjectNode) schema.deepCopy());
        List<Error> errors = SCHEMAS.getSchema(root).validate(instance);
        assertThat(errors).as("%s: %s against %s", what, instance, schema).isEmpty();
    }

    private JsonNode operation(String method, String path) {
        JsonNode operation = document().path("paths").path(path).path(method);
        assertThat(operation.isMissingNode())
                .as("%s %s is documented", method, path)
                .isFalse();
        return operation;
    }

    private JsonNode document() {
        return expect(200, get("/v3/api-docs", null)).json();
    }

    /**
     * The document with every component object that lists its properties and says nothing of others made
     * closed, so that a field the API sends but the document leaves out fails validation.
     */
    private static ObjectNode closed(JsonNode document) {
        ObjectNode copy = (ObjectNode) document.deepCopy();
        copy.withObject("/components/schemas").properties().forEach(schema -> {
            if (schema.getValue() instanceof ObjectNode object
                    && object.has("properties")
                    && !object.has("additionalProperties")) {
                object.put("additionalProperties", false);
            }
        });
        return copy;
    }

    /** {@code /v1/batches/{id}} and {@code /v1/batches/{batchId}} are the same route; {@code /**} is one variable. */
    private static String normalised(String path) {
        return path.replaceAll("\\{[^}]+}", "{}").replaceAll("/\\*\\*$", "/{}");
    }
}
