package dev.sluice.api;

import static dev.sluice.api.BatchJson.aChatBatch;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class BatchPaginationIT extends ApiTestBase {

    @Test
    void walksFiveBatchesNewestFirstInPagesOfTwo() {
        String key = newTenantKey();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(createBatch(
                    key, aChatBatch().request("a", uniqueModel("page")).json()));
        }

        JsonNode first = expect(200, get("/v1/batches?limit=2", key)).json();
        JsonNode second = expect(
                        200,
                        get("/v1/batches?limit=2&after=" + first.get("last_id").asString(), key))
                .json();
        JsonNode third = expect(
                        200,
                        get("/v1/batches?limit=2&after=" + second.get("last_id").asString(), key))
                .json();
        JsonNode beyond = expect(
                        200,
                        get("/v1/batches?limit=2&after=" + third.get("last_id").asString(), key))
                .json();

        assertThat(first.get("object").asString()).isEqualTo("list");
        assertThat(ids(first)).containsExactly(created.get(4), created.get(3));
        assertThat(ids(second)).containsExactly(created.get(2), created.get(1));
        assertThat(ids(third)).containsExactly(created.get(0));
        assertThat(List.of(first, second, third))
                .extracting(page -> page.get("has_more").asBoolean())
                .containsExactly(true, true, false);
        assertThat(first.get("first_id").asString()).isEqualTo(created.get(4));
        assertThat(third.get("last_id").asString()).isEqualTo(created.get(0));
        assertThat(beyond.get("data")).isEmpty();
        assertThat(beyond.get("first_id").isNull()).isTrue();
        assertThat(beyond.get("last_id").isNull()).isTrue();
        assertThat(beyond.get("has_more").asBoolean()).isFalse();
        assertThat(expect(200, get("/v1/batches", key)).json().get("data")).hasSize(5);
    }

    @Test
    void refusesLimitsOutsideOneToHundred() {
        String key = newTenantKey();
        for (String limit : new String[] {"0", "101", "abc", "-1", "2.5", "99999999999"}) {
            Reply reply = expect(400, get("/v1/batches?limit=" + limit, key));
            assertThat(reply.error().get("param").asString()).isEqualTo("limit");
        }
        assertThat(expect(200, get("/v1/batches?limit=100", key)).json().get("data"))
                .isEmpty();
    }

    @Test
    void unknownCursorGivesAnEmptyPageAndAMalformedOneA400() {
        String key = newTenantKey();
        expect(
                200,
                post(
                        "/v1/batches",
                        key,
                        aChatBatch().request("a", uniqueModel("page")).json()));

        assertThat(expect(200, get("/v1/batches?after=batch_000000000000000000000000", key))
                        .json()
                        .get("data"))
                .isEmpty();
        assertThat(expect(400, get("/v1/batches?after=%00x", key))
                        .error()
                        .get("param")
                        .asString())
                .isEqualTo("after");
    }

    private static List<String> ids(JsonNode page) {
        return page.get("data")
                .valueStream()
                .map(batch -> batch.get("id").asString())
                .toList();
    }
}
