package dev.sluice.api.web;

import java.util.regex.Pattern;

/**
 * The {@code after} and {@code limit} query parameters of a list endpoint, checked the way
 * OpenAI's list endpoints check them: {@code limit} is 1-100 (default 20) and {@code after} is the
 * id of the last object of the previous page.
 *
 * @param after the cursor, or null for the first page
 * @param limit how many objects a page holds
 */
public record PageQuery(String after, int limit) {

    /** The default page size. */
    public static final int DEFAULT_LIMIT = 20;
    /** The largest page size. */
    public static final int MAX_LIMIT = 100;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    /** Parses the raw parameters; anything outside the rules is a 400 naming the parameter. */
    public static PageQuery parse(String after, String limit) {
        int size = DEFAULT_LIMIT;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit.strip());
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 1 || size > MAX_LIMIT) {
                throw ApiException.invalid(
                        "limit",
                        "invalid_limit",
                        "limit must be an integer between 1 and " + MAX_LIMIT + ", got '" + limit + "'.");
            }
        }
        if (after != null && !after.isEmpty() && !ID.matcher(after).matches()) {
            throw ApiException.invalid(
                    "after", "invalid_after", "after must be the id of an object from a previous page.");
        }
        return new PageQuery(after == null || after.isEmpty() ? null : after, size);
    }

    /** An optional id filter: null when absent or blank, else the id; one that cannot exist is a 400 naming {@code param}. */
    public static String optionalId(String value, String param) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String id = value.strip();
        if (!plausibleId(id)) {
            throw ApiException.invalid(
                    param, "invalid_" + param, param + " must be an id such as those the API returns.");
        }
        return id;
    }

    /** Whether {@code id} could be one of Sluice's ids; anything else cannot exist and is not looked up. */
    public static boolean plausibleId(String id) {
        return id != null && ID.matcher(id).matches();
    }
}
