package dev.sluice.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.sluice.common.Limit;
import dev.sluice.db.model.ModelRepository;
import dev.sluice.db.model.ModelSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** {@code /admin/limits}, {@code /admin/pause} and {@code /admin/resume}, checked over HTTP and in the table. */
class AdminLimitsIT extends ApiTestBase {

    @Autowired
    ModelRepository models;

    @Test
    void limitIsSetReadChangedAndCleared() {
        String model = uniqueModel("limits");

        JsonNode set = expect(
                        200,
                        put(
                                "/admin/limits",
                                ADMIN_KEY,
                                "{\"model\":\"" + model + "\",\"requests\":10,\"per_seconds\":30}"))
                .json();
        assertThat(set.get("model").asString()).isEqualTo(model);
        assertThat(set.get("requests").asInt()).isEqualTo(10);
        assertThat(set.get("per_seconds").asString()).isEqualTo("30");
        assertThat(set.get("source").asString()).isEqualTo("configured");
        assertThat(set.get("configured").get("requests").asInt()).isEqualTo(10);
        assertThat(set.get("configured").get("per_seconds").asInt()).isEqualTo(30);
        assertThat(set.get("learned").isNull()).isTrue();
        assertThat(set.get("max_concurrency").isNull()).isTrue();
        assertThat(set.get("paused").asBoolean()).isFalse();
        assertThat(stored(model).configured()).containsExactly(new Limit(10, Duration.ofSeconds(30)));

        JsonNode listed = expect(200, get("/admin/limits", ADMIN_KEY)).json();
        assertThat(listed.get("object").asString()).isEqualTo("list");
        assertThat(listed.get("default_limit").get("requests").asInt()).isEqualTo(15);
        assertThat(listed.get("default_limit").get("per_seconds").asInt()).isEqualTo(60);
        assertThat(row(listed, model)).isEqualTo(set);

        JsonNode changed = expect(
                        200,
                        put(
                                "/admin/limits",
                                ADMIN_KEY,
                                "{\"model\":\"" + model
                                        + "\",\"requests\":5,\"per_seconds\":1.5,\"max_concurrency\":3}"))
                .json();
        assertThat(changed.get("requests").asInt()).isEqualTo(5);
        assertThat(changed.get("per_seconds").isNumber()).isTrue();
        assertThat(changed.get("per_seconds").asDouble()).isEqualTo(1.5);
        assertThat(changed.get("max_concurrency").asInt()).isEqualTo(3);
        assertThat(stored(model).configured()).containsExactly(new Limit(5, Duration.ofMillis(1500)));
        assertThat(stored(model).maxConcurrency()).isEqualTo(3);

        // The written form of SLUICE_DEFAULT_LIMIT is accepted too.
        expect(
                200,
                put("/admin/limits", ADMIN_KEY, "{\"model\":\"" + model + "\",\"limits\":\"20/1m, 500 tokens/6s\"}"));
        assertThat(stored(model).configured()).containsExactly(Limit.parse("20/60s"), Limit.parse("500 tokens/6s"));

        JsonNode cleared = expect(
                        200,
                        put(
                                "/admin/limits",
                                ADMIN_KEY,
                                "{\"model\":\"" + model + "\",\"requests\":null,\"per_seconds\":null}"))
                .json();
        assertThat(cleared.get("source").asString()).isEqualTo("default");
        assertThat(cleared.get("requests").asInt()).isEqualTo(15);
        assertThat(cleared.get("per_seconds").asInt()).isEqualTo(60);
        assertThat(cleared.get("configured").isNull()).isTrue();
        assertThat(cleared.get("max_concurrency").isNull()).isTrue();
        assertThat(stored(model).configured()).isEmpty();
        assertThat(stored(model).maxConcurrency()).isNull();
        assertThat(row(expect(200, get("/admin/limits", ADMIN_KEY)).json(), model))
                .isEqualTo(cleared);
    }

    @Test
    void windowsDownToAMillisecondAreKeptExactly() {
        String model = uniqueModel("fast");

        JsonNode set = expect(
                        200,
                        put(
                                "/admin/limits",
                                ADMIN_KEY,
                                "{\"model\":\"" + model + "\",\"requests\":1,\"per_seconds\":1e-3}"))
                .json();

        assertThat(set.get("per_seconds").decimalValue()).isEqualByComparingTo("0.001");
        assertThat(stored(model).configured()).containsExactly(new Limit(1, Duration.ofMillis(1)));
    }

    @Test
    void maxConcurrencyIsSetAndRemovedWhenAbsent() {
        String model = uniqueModel("capped");

        JsonNode capped = expect(
                        200,
                        put(
                                "/admin/limits",
                                ADMIN_KEY,
                                "{\"model\":\"" + model
                                        + "\",\"requests\":15,\"per_seconds\":60,\"max_concurrency\":4}"))
                .json();
        assertThat(capped.get("max_concurrency").asInt()).isEqualTo(4);
        assertThat(stored(model).maxConcurrency()).isEqualTo(4);

        JsonNode uncapped = expect(
                        200,
                        put(
                                "/admin/limits",
                                ADMIN_KEY,
                                "{\"model\":\"" + model + "\",\"requests\":15,\"per_seconds\":60}"))
                .json();
        assertThat(uncapped.get("max_concurrency").isNull()).isTrue();
        assertThat(stored(model).maxConcurrency()).isNull();
        assertThat(stored(model).configured()).containsExactly(new Limit(15, Duration.ofSeconds(60)));
    }

    @Test
    void pauseAndResumeKeepTheLimitAndWorkForUnseenModels() {
        String unseen = uniqueModel("paused-first");
        JsonNode paused = expect(200, post("/admin/pause", ADMIN_KEY, "{\"model\":\"" + unseen + "\"}"))
                .json();
        assertThat(paused.get("paused").asBoolean()).isTrue();
        assertThat(paused.get("source").asString()).isEqualTo("default");
        assertThat(stored(unseen).paused()).isTrue();

        String model = uniqueModel("pausable");
        expect(200, put("/admin/limits", ADMIN_KEY, "{\"model\":\"" + model + "\",\"requests\":3,\"per_seconds\":10}"));
        JsonNode pausedAgain = expect(200, post("/admin/pause", ADMIN_KEY, "{\"model\":\"" + model + "\"}"))
                .json();
        assertThat(pausedAgain.get("paused").asBoolean()).isTrue();
        assertThat(pausedAgain.get("requests").asInt()).isEqualTo(3);
        assertThat(stored(model).paused()).isTrue();
        assertThat(row(expect(200, get("/admin/limits", ADMIN_KEY)).json(), model)
                        .get("paused")
                        .asBoolean())
                .isTrue();

        JsonNode resumed = expect(200, post("/admin/resume", ADMIN_KEY, "{\"model\":\"" + model + "\"}"))
                .json();
        assertThat(resumed.get("paused").asBoolean()).isFalse();
        assertThat(stored(model).paused()).isFalse();
        assertThat(stored(model).configured()).containsExactly(new Limit(3, Duration.ofSeconds(10)));
    }

    @Test
    void learnedLimitIsTheSourceWhileItIsStricter() {
        String model = uniqueModel("learned");
        Instant learnedAt = Instant.parse("2025-03-04T05:06:07Z");
        expect(
                200,
                put("/admin/limits", ADMIN_KEY, "{\"model\":\"" + model + "\",\"requests\":10,\"per_seconds\":60}"));
        models.learn(model, new Limit(5, Duration.ofSeconds(60)), learnedAt);

        JsonNode stricter = row(expect(200, get("/admin/limits", ADMIN_KEY)).json(), model);
        assertThat(stricter.get("source").asString()).isEqualTo("learned");
        assertThat(stricter.get("requests").asInt()).isEqualTo(5);
        assertThat(stricter.get("per_seconds").asInt()).isEqualTo(60);
        assertThat(stricter.get("configured").get("requests").asInt()).isEqualTo(10);
        assertThat(stricter.get("learned").get("requests").asInt()).isEqualTo(5);
        assertThat(stricter.get("learned").get("per_seconds").asInt()).isEqualTo(60);
        assertThat(stricter.get("learned").get("learned_at").asLong()).isEqualTo(learnedAt.getEpochSecond());

        models.learn(model, new Limit(20, Duration.ofSeconds(60)), learnedAt);
        JsonNode looser = row(expect(200, get("/admin/limits", ADMIN_KEY)).json(), model);
        assertThat(looser.get("source").asString()).isEqualTo("configured");
        assertThat(looser.get("requests").asInt()).isEqualTo(10);
        assertThat(looser.get("learned").get("requests").asInt()).isEqualTo(20);

        String unconfigured = uniqueModel("learned-default");
        models.register(List.of(unconfigured), learnedAt);
        models.learn(unconfigured, new Limit(15, Duration.ofSeconds(90)), learnedAt);
        JsonNode overDefault = expect(200, post("/admin/resume", ADMIN_KEY, "{\"model\":\"" + unconfigured + "\"}"))
                .json();
        assertThat(overDefault.get("source").asString()).isEqualTo("learned");
        assertThat(overDefault.get("per_seconds").asInt()).isEqualTo(90);
        assertThat(overDefault.get("configured").isNull()).isTrue();
    }

    @Test
    void onlyTheAdminKeyMayReadOrChangeLimits() {
        String tenantKey = newTenantKey();
        String model = uniqueModel("guarded");
        String body = "{\"model\":\"" + model + "\",\"requests\":1,\"per_seconds\":1}";
        String modelBody = "{\"model\":\"" + model + "\"}";

        for (String key : new String[] {tenantKey, null, ADMIN_KEY + "x"}) {
            int expected = tenantKey.equals(key) ? 403 : 401;
            assertThat(expect(expected, get("/admin/limits", key))
                            .error()
                            .get("code")
                            .asString())
                    .isIn("insufficient_permissions", "invalid_admin_key");
            expect(expected, put("/admin/limits", key, body));
            expect(expected, post("/admin/pause", key, modelBody));
            expect(expected, post("/admin/resume", key, modelBody));
            expect(expected, get("/admin/rate-limit-events", key));
        }

        assertThat(models.settings(model)).isEmpty();
    }

    @Test
    void aSetOfRequestAndTokenWindowsIsStoredShownWithSourcesAndUseAndClearedByAnEmptyList() {
        String model = uniqueModel("sets");
        String body = "{\"model\":\"" + model + "\",\"limits\":[{\"requests\":15,\"per_seconds\":60},"
                + "{\"requests\":1000,\"per_seconds\":86400},{\"tokens\":30000,\"per_seconds\":60}],"
                + "\"default_max_tokens\":256}";

        JsonNode set = expect(200, put("/admin/limits", ADMIN_KEY, body)).json();

        assertThat(stored(model).configured())
                .containsExactly(Limit.parse("15/60s"), Limit.parse("1000/1d"), Limit.parse("30000 tokens/60s"));
        assertThat(stored(model).defaultMaxTokens()).isEqualTo(256);
        assertThat(set.get("requests").asLong())
                .as("the tightest request limit")
                .isEqualTo(1000);
        assertThat(set.get("limits")).hasSize(3);
        assertThat(set.get("limits").get(2).get("tokens").asLong()).isEqualTo(30_000);
        assertThat(set.get("limits").get(2).has("requests")).isFalse();
        assertThat(set.get("limits").get(2).get("source").asString()).isEqualTo("configured");

        // A learned limit joins the set; the pacer's ledger shows how much of each is in use.
        models.learn(model, Limit.parse("2000 tokens/60s"), Instant.now());
        long now = Instant.now().toEpochMilli() * 1000;
        jdbc.sql("""
                INSERT INTO pacer_budgets (credential, model, sent_us, sent_counts, sent_tokens)
                VALUES ('key-test', :model, :sent, :counts, :tokens)
                """)
                .param("model", model)
                .param("sent", new long[] {now - 1_000_000, now})
                .param("counts", new int[] {3, 2})
                .param("tokens", new long[] {900, 600})
                .update();
        JsonNode listed = row(expect(200, get("/admin/limits", ADMIN_KEY)).json(), model);
        assertThat(listed.get("limits"))
                .extracting(
                        l -> l.has("tokens")
                                ? l.get("tokens").asLong() + " tokens"
                                : l.get("requests").asLong() + "",
                        l -> l.get("source").asString(),
                        l -> l.get("used").asLong())
                .containsExactlyInAnyOrder(
                        tuple("15", "configured", 5L),
                        tuple("1000", "configured", 5L),
                        tuple("30000 tokens", "configured", 1_500L),
                        tuple("2000 tokens", "learned", 1_500L));

        // The written form of SLUICE_DEFAULT_LIMIT is accepted too.
        expect(
                200,
                put("/admin/limits", ADMIN_KEY, "{\"model\":\"" + model + "\",\"limits\":\"20/1m, 500 tokens/6s\"}"));
        assertThat(stored(model).configured()).containsExactly(Limit.parse("20/60s"), Limit.parse("500 tokens/6s"));

        JsonNode cleared = expect(200, put("/admin/limits", ADMIN_KEY, "{\"model\":\"" + model + "\",\"limits\":[]}"))
                .json();
        assertThat(stored(model).configured()).isEmpty();
        assertThat(cleared.get("limits"))
                .extracting(l -> l.get("source").asString())
                .containsExactlyInAnyOrder("default", "learned");
    }

    private ModelSettings stored(String model) {
        return models.settings(model).orElseThrow();
    }

    private static JsonNode row(JsonNode list, String model) {
        for (JsonNode row : list.get("data")) {
            if (row.get("model").asString().equals(model)) {
                return row;
            }
        }
        throw new AssertionError("no row for " + model + " in " + list);
    }
}
