package dev.sluice.api.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.model.KnownModels.Verdict;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KnownModelsTest {

    private static final KnownModels NEVER_READ = new KnownModels(null, Set.of("conf/m"), Set.of("admin/m"));

    @Test
    void beforeTheProvidersListIsReadOnlyOperatorsModelsAreKnownAndOthersAreUndecided() {
        assertThat(NEVER_READ.verdict("conf/m")).isEqualTo(Verdict.KNOWN);
        assertThat(NEVER_READ.verdict("admin/m")).isEqualTo(Verdict.KNOWN);
        assertThat(NEVER_READ.verdict("openai/gpt-4o-mini")).isEqualTo(Verdict.LIST_UNREAD);
        assertThat(NEVER_READ.knows("openai/gpt-4o-mini")).isFalse();
    }

    @Test
    void onceReadAModelNoOneHasIsUnknown() {
        KnownModels read = NEVER_READ.withListed(Set.of("openai/gpt-4o-mini"));
        assertThat(read.verdict("openai/gpt-4o-mini")).isEqualTo(Verdict.KNOWN);
        assertThat(read.verdict("nobody/made-up")).isEqualTo(Verdict.UNKNOWN);
        assertThat(read.verdict("conf/m")).isEqualTo(Verdict.KNOWN);
    }

    @Test
    void aProviderWithoutAListLeavesOnlyOperatorsModels() {
        KnownModels none = NEVER_READ.withListed(Set.of());
        assertThat(none.verdict("openai/gpt-4o-mini")).isEqualTo(Verdict.UNKNOWN);
        assertThat(none.verdict("admin/m")).isEqualTo(Verdict.KNOWN);
    }

    @Test
    void sourcesNameBothWhenTheProviderListsAModelAnOperatorAllowedToo() {
        KnownModels both = new KnownModels(Set.of("a/x", "a/y"), Set.of("a/y"), Set.of("b/z"));
        assertThat(both.sources("a/x")).containsExactly("provider");
        assertThat(both.sources("a/y")).containsExactly("provider", "operator");
        assertThat(both.sources("b/z")).containsExactly("operator");
        assertThat(both.sources("c/none")).isEmpty();
        assertThat(both.all()).containsExactly("a/x", "a/y", "b/z");
    }

    @Test
    void withdrawingAnAllowanceForgetsTheModel() {
        KnownModels allowed = NEVER_READ.withListed(Set.of()).withAllowed(Set.of());
        assertThat(allowed.verdict("admin/m")).isEqualTo(Verdict.UNKNOWN);
    }
}
