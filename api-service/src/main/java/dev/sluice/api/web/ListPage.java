package dev.sluice.api.web;

import jakarta.annotation.Nullable;
import java.util.List;
import java.util.function.Function;

/**
 * OpenAI's list object: {@code {"object": "list", "data", "first_id", "last_id", "has_more"}}.
 *
 * @param object  always {@code list}
 * @param data    this page's objects
 * @param firstId the first object's id, or null on an empty page
 * @param lastId  the last object's id (the next page's {@code after}), or null on an empty page
 * @param hasMore whether another page follows
 */
public record ListPage<T>(
        String object,
        List<T> data,
        @Nullable String firstId,
        @Nullable String lastId,
        boolean hasMore) {

    /**
     * The page from rows fetched with {@code limit + 1}: the extra row only says that more follow.
     * {@code view} renders a row; {@code id} names it.
     */
    public static <R, T> ListPage<T> of(List<R> rows, int limit, Function<R, T> view, Function<R, String> id) {
        boolean hasMore = rows.size() > limit;
        List<R> page = hasMore ? rows.subList(0, limit) : rows;
        List<T> data = page.stream().map(view).toList();
        return new ListPage<>(
                "list",
                data,
                page.isEmpty() ? null : id.apply(page.getFirst()),
                page.isEmpty() ? null : id.apply(page.getLast()),
                hasMore);
    }

    /** A list that is never paged (e.g. admin listings). */
    public static <T> ListPage<T> all(List<T> data, Function<T, String> id) {
        return new ListPage<>(
                "list",
                data,
                data.isEmpty() ? null : id.apply(data.getFirst()),
                data.isEmpty() ? null : id.apply(data.getLast()),
                false);
    }
}
