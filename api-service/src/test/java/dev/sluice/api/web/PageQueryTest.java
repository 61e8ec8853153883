package dev.sluice.api.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PageQueryTest {

    @Test
    void defaultsToTwentyFromTheStart() {
        assertThat(PageQuery.parse(null, null)).isEqualTo(new PageQuery(null, 20));
        assertThat(PageQuery.parse("", " 5 ")).isEqualTo(new PageQuery(null, 5));
        assertThat(PageQuery.parse("batch_abc", "100")).isEqualTo(new PageQuery("batch_abc", 100));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "101", "-1", "abc", "", "1.0", "2147483648"})
    void refusesLimitsOutsideOneToHundred(String limit) {
        assertThatThrownBy(() -> PageQuery.parse(null, limit))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.param()).isEqualTo("limit"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "batch_\u0000", "x'y", "batch/1"})
    void refusesCursorsThatCannotBeIds(String after) {
        assertThatThrownBy(() -> PageQuery.parse(after, null))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.param()).isEqualTo("after"));
    }

    @Test
    void aPageFetchedWithOneExtraRowKnowsThatMoreFollow() {
        ListPage<String> page = ListPage.of(List.of("a", "b", "c"), 2, String::toUpperCase, s -> s);

        assertThat(page.data()).containsExactly("A", "B");
        assertThat(page.firstId()).isEqualTo("a");
        assertThat(page.lastId()).isEqualTo("b");
        assertThat(page.hasMore()).isTrue();
        assertThat(ListPage.of(List.<String>of(), 2, s -> s, s -> s))
                .isEqualTo(new ListPage<String>("list", List.of(), null, null, false));
    }
}
