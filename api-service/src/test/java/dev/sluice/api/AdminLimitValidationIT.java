package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.db.model.ModelRepository;
import dev.sluice.db.model.ModelSettings;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Every refused limit, pause or event query is a 400 naming the field, and changes no model. */
class AdminLimitValidationIT extends ApiTestBase {

    private static final String MODEL = uniqueModel("validated");

    @Autowired
    ModelRepository models;

    private List<ModelSettings> before;

    @BeforeEach
    void configureAndSnapshot() {
        expect(
                200,
                put(
                        "/admin/limits",
                        ADMIN_KEY,
                        "{\"model\":\"" + MODEL + "\",\"requests\":7,\"per_seconds\":70,\"max_concurrency\":2}"));
        before = models.settings();
    }

    /** A body with {@code limits} as given, not yet closed. */
    private static String set(String limits) {
        return "{\"model\":" + q(MODEL) + ",\"limits\":" + limits;
    }

    static Stream<Arguments> refusedLimits() {
        return Stream.of(
                refused("missing model", "{\"requests\":1,\"per_seconds\":60}", "model", "missing_model"),
                refused("null model", "{\"model\":null,\"requests\":1,\"per_seconds\":60}", "model", "invalid_model"),
                refused("empty model", limit("\"\"", "1", "60"), "model", "invalid_model"),
                refused("numeric model", limit("5", "1", "60"), "model", "invalid_type"),
                refused(
                        "model too long for a queue name",
                        limit("\"" + "m".repeat(244) + "\"", "1", "60"),
                        "model",
                        "invalid_model"),
                refused(
                        "model of 82 three-byte characters",
                        limit("\"" + "€".repeat(82) + "\"", "1", "60"),
                        "model",
                        "invalid_model"),
                refused("model with a control character", limit("\"a\\nb\"", "1", "60"), "model", "invalid_model"),
                refused("model with NUL", limit("\"a\\u0000b\"", "1", "60"), "model", "invalid_value"),
                refused("requests 0", limit(q(MODEL), "0", "60"), "requests", "invalid_requests"),
                refused("negative requests", limit(q(MODEL), "-3", "60"), "requests", "invalid_requests"),
                refused("string requests", limit(q(MODEL), "\"5\"", "60"), "requests", "invalid_type"),
                refused("fractional requests", limit(q(MODEL), "1.5", "60"), "requests", "invalid_type"),
                refused("requests beyond int", limit(q(MODEL), "10000000000", "60"), "requests", "invalid_type"),
                refused("negative per_seconds", limit(q(MODEL), "1", "-60"), "per_seconds", "invalid_per_seconds"),
                refused("zero per_seconds", limit(q(MODEL), "1", "0"), "per_seconds", "invalid_per_seconds"),
                refused(
                        "per_seconds under a millisecond",
                        limit(q(MODEL), "1", "0.0005"),
                        "per_seconds",
                        "invalid_per_seconds"),
                refused(
                        "per_seconds between milliseconds",
                        limit(q(MODEL), "1", "1.0005"),
                        "per_seconds",
                        "invalid_per_seconds"),
                refused(
                        "per_seconds over 30 days",
                        limit(q(MODEL), "1", "2592001"),
                        "per_seconds",
                        "invalid_per_seconds"),
                refused(
                        "per_seconds with a huge exponent",
                        limit(q(MODEL), "1", "1e999999999"),
                        "per_seconds",
                        "invalid_per_seconds"),
                refused("string per_seconds", limit(q(MODEL), "1", "\"60s\""), "per_seconds", "invalid_type"),
                refused("only requests null", limit(q(MODEL), "null", "60"), "requests", "invalid_requests"),
                refused("only per_seconds null", limit(q(MODEL), "5", "null"), "per_seconds", "invalid_per_seconds"),
                refused(
                        "missing requests",
                        "{\"model\":" + q(MODEL) + ",\"per_seconds\":60}",
                        "requests",
                        "missing_requests"),
                refused(
                        "missing per_seconds",
                        "{\"model\":" + q(MODEL) + ",\"requests\":5}",
                        "per_seconds",
                        "missing_per_seconds"),
                refused("model alone", "{\"model\":" + q(MODEL) + "}", "requests", "missing_requests"),
                refused(
                        "max_concurrency 0",
                        "{\"model\":" + q(MODEL) + ",\"requests\":1,\"per_seconds\":1,\"max_concurrency\":0}",
                        "max_concurrency",
                        "invalid_max_concurrency"),
                refused(
                        "string max_concurrency",
                        "{\"model\":" + q(MODEL) + ",\"requests\":1,\"per_seconds\":1,\"max_concurrency\":\"2\"}",
                        "max_concurrency",
                        "invalid_type"),
                refused(
                        "unknown field",
                        "{\"model\":" + q(MODEL) + ",\"requests\":1,\"per_seconds\":1,\"burst\":3}",
                        "burst",
                        "unknown_parameter"),
                refused(
                        "duplicate field",
                        "{\"model\":" + q(MODEL) + ",\"requests\":1,\"per_seconds\":1,\"requests\":2}",
                        "requests",
                        "duplicate_parameter"),
                refused(
                        "limits and the single form at once",
                        set("[{\"requests\":1,\"per_seconds\":1}]") + ",\"requests\":1,\"per_seconds\":1}",
                        "limits",
                        "conflicting_limits"),
                refused("limits not an array", set("{}") + "}", "limits", "invalid_limits"),
                refused("limits as text that is no limit", set("\"fast\"") + "}", "limits", "invalid_limits"),
                refused(
                        "two limits of one unit and window",
                        set("[{\"requests\":1,\"per_seconds\":60},{\"requests\":2,\"per_seconds\":60}]") + "}",
                        "limits",
                        "invalid_limits"),
                refused(
                        "a limit with both units",
                        set("[{\"requests\":1,\"tokens\":100,\"per_seconds\":60}]") + "}",
                        "limits[0]",
                        "invalid_limits"),
                refused("a limit with no unit", set("[{\"per_seconds\":60}]") + "}", "limits[0]", "invalid_limits"),
                refused(
                        "zero tokens",
                        set("[{\"tokens\":0,\"per_seconds\":60}]") + "}",
                        "limits[0].tokens",
                        "invalid_tokens"),
                refused(
                        "a limit without per_seconds",
                        set("[{\"tokens\":100}]") + "}",
                        "limits[0].per_seconds",
                        "invalid_per_seconds"),
                refused(
                        "an unknown key in a limit",
                        set("[{\"tokens\":100,\"per_seconds\":60,\"burst\":2}]") + "}",
                        "limits[0].burst",
                        "unknown_parameter"),
                refused(
                        "default_max_tokens below 0",
                        set("[]") + ",\"default_max_tokens\":-1}",
                        "default_max_tokens",
                        "invalid_default_max_tokens"),
                refused("bad JSON", "{\"model\":" + q(MODEL) + ",\"requests\":1,", null, "invalid_json"),
                refused("trailing garbage", limit(q(MODEL), "1", "1") + " x", null, "invalid_json"),
                refused("array body", "[" + limit(q(MODEL), "1", "1") + "]", null, "invalid_json"),
                refused("empty body", "", null, "invalid_json"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedLimits")
    void refusedLimitChangesNothing(String name, String body, String param, String code) {
        JsonNode error = expect(400, put("/admin/limits", ADMIN_KEY, body)).error();

        assertThat(error.get("type").asString()).isEqualTo("invalid_request_error");
        assertThat(error.get("code").asString()).isEqualTo(code);
        assertThat(error.get("param").isNull() ? null : error.get("param").asString())
                .isEqualTo(param);
        assertThat(error.get("message").asString()).isNotBlank();
        assertThat(models.settings()).isEqualTo(before);
    }

    static Stream<Arguments> refusedPauses() {
        return Stream.of(
                refused("missing model", "{}", "model", "missing_model"),
                refused("empty model", "{\"model\":\"\"}", "model", "invalid_model"),
                refused("model too long", "{\"model\":\"" + "m".repeat(244) + "\"}", "model", "invalid_model"),
                refused("unknown field", "{\"model\":" + q(MODEL) + ",\"paused\":true}", "paused", "unknown_parameter"),
                refused("bad JSON", "{\"model\":", null, "invalid_json"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedPauses")
    void refusedPauseOrResumeChangesNothing(String name, String body, String param, String code) {
        for (String path : new String[] {"/admin/pause", "/admin/resume"}) {
            JsonNode error = expect(400, post(path, ADMIN_KEY, body)).error();

            assertThat(error.get("code").asString()).isEqualTo(code);
            assertThat(error.get("param").isNull() ? null : error.get("param").asString())
                    .isEqualTo(param);
        }
        assertThat(models.settings()).isEqualTo(before);
    }

    @Test
    void bodiesMustBeJson() {
        HttpRequest text = request("/admin/limits", ADMIN_KEY)
                .header("Content-Type", "text/plain")
                .PUT(HttpRequest.BodyPublishers.ofString(limit(q(MODEL), "1", "1")))
                .build();

        assertThat(expect(415, send(text)).error().get("code").asString()).isEqualTo("unsupported_media_type");
        assertThat(models.settings()).isEqualTo(before);
    }

    @Test
    void refusedEventQueriesNameTheParameter() {
        assertThat(expect(400, get("/admin/rate-limit-events?limit=0", ADMIN_KEY))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("limit");
        assertThat(expect(400, get("/admin/rate-limit-events?limit=101", ADMIN_KEY))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("limit");
        assertThat(expect(400, get("/admin/rate-limit-events?after=abc", ADMIN_KEY))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("after");
        assertThat(expect(400, get("/admin/rate-limit-events?after=-4", ADMIN_KEY))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("after");
        assertThat(expect(400, get("/admin/rate-limit-events?model=" + "m".repeat(244), ADMIN_KEY))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("model");
        assertThat(expect(400, get("/admin/rate-limit-events?model=a%00b", ADMIN_KEY))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("model");
    }

    private static Arguments refused(String name, String body, String param, String code) {
        return Arguments.of(name, body, param, code);
    }

    private static String limit(String model, String requests, String perSeconds) {
        return "{\"model\":" + model + ",\"requests\":" + requests + ",\"per_seconds\":" + perSeconds + "}";
    }

    private static String q(String text) {
        return "\"" + text + "\"";
    }
}
