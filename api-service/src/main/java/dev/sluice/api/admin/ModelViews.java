package dev.sluice.api.admin;

import dev.sluice.api.model.ModelRegistry;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** The objects {@code /admin/models} answers with. */
final class ModelViews {

    private ModelViews() {}

    /**
     * One model jobs may name.
     *
     * @param id      the model id
     * @param object  always {@code model}
     * @param sources {@code provider} (the provider lists it) and/or {@code operator} ({@code SLUICE_MODELS} or
     *                {@code POST /admin/models})
     */
    record Known(
            String id,
            String object,

            @ArraySchema(schema = @Schema(allowableValues = {"provider", "operator"}))
            List<String> sources) {}

    /**
     * {@code GET /admin/models}.
     *
     * @param object             always {@code list}
     * @param providerListRead   whether the provider's list has ever been read; while false, only operators'
     *                           models are accepted and others get 503 {@code model_list_unavailable}
     * @param data               every known model, sorted by id
     */
    record Listed(String object, boolean providerListRead, List<Known> data) {

        static Listed of(boolean providerListRead, List<ModelRegistry.Entry> entries) {
            return new Listed(
                    "list",
                    providerListRead,
                    entries.stream()
                            .map(entry -> new Known(entry.model(), "model", entry.sources()))
                            .toList());
        }
    }

    /**
     * {@code DELETE /admin/models/{model}}.
     *
     * @param id      the model id
     * @param object  always {@code model}
     * @param deleted always true: the operator's allowance is gone
     * @param sources where the model still comes from (empty: jobs may no longer name it)
     */
    record Withdrawn(
            String id,
            String object,
            boolean deleted,

            @ArraySchema(schema = @Schema(allowableValues = {"provider", "operator"}))
            List<String> sources) {}
}
