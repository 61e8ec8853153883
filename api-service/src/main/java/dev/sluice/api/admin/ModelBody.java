package dev.sluice.api.admin;

import dev.sluice.api.job.JobFields;
import dev.sluice.api.web.ApiException;
import dev.sluice.api.web.JsonInput;
import java.util.HashSet;
import java.util.Set;

/**
 * The body {@code {model}} of the admin calls that name one model and nothing else ({@code POST /admin/pause},
 * {@code /admin/resume}, {@code /admin/models}); every refusal is a 400 naming the field.
 */
final class ModelBody {

    private ModelBody() {}

    /**
     * The model the body names.
     *
     * @param calls   the calls that take it and their verb, for the message: {@code "pause and resume take"}
     * @param purpose what the model is named for, for the message: {@code "to pause or resume"}
     */
    static String read(byte[] body, String calls, String purpose) {
        String model = null;
        Set<String> seen = new HashSet<>();
        try (JsonInput json = JsonInput.objectOf(body)) {
            for (String field = json.nextField(seen, null); field != null; field = json.nextField(seen, null)) {
                if (!field.equals("model")) {
                    throw ApiException.invalid(
                            field,
                            "unknown_parameter",
                            "Unrecognized parameter '" + field + "'; " + calls + " only 'model'.");
                }
                model = json.stringOrNull(field);
            }
            json.end();
        }
        if (!seen.contains("model")) {
            throw ApiException.invalid("model", "missing_model", "Missing 'model': name the model " + purpose + ".");
        }
        JobFields.checkModel(model, "model", "");
        return model;
    }
}
