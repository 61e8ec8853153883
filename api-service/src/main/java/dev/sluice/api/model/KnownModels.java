package dev.sluice.api.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the model registry knows at one moment: the provider's list (null until it has been read once, here or by
 * another instance, which stores it), the models {@code SLUICE_MODELS} allows, and those operators allowed through
 * the admin API. A model is known when any of them has it.
 *
 * @param listed     the provider's last good list; empty for a provider without one; null if never read
 * @param configured {@code SLUICE_MODELS}
 * @param allowed    allowed through {@code POST /admin/models}
 */
record KnownModels(Set<String> listed, Set<String> configured, Set<String> allowed) {

    /** What a submission naming a model gets. */
    enum Verdict {
        /** The model may be used. */
        KNOWN,
        /** Neither the provider nor an operator has it: 400 {@code model_not_found}. */
        UNKNOWN,
        /**
         * No operator allowed it and the provider's list has never been read, so whether the provider has it is
         * not known: 503 {@code model_list_unavailable}, worth trying again.
         */
        LIST_UNREAD
    }

    KnownModels {
        listed = listed == null ? null : Set.copyOf(listed);
        configured = Set.copyOf(configured);
        allowed = Set.copyOf(allowed);
    }

    /** Whether {@code model} may be used now. */
    boolean knows(String model) {
        return configured.contains(model) || allowed.contains(model) || (listed != null && listed.contains(model));
    }

    /** The verdict for {@code model}. */
    Verdict verdict(String model) {
        if (knows(model)) {
            return Verdict.KNOWN;
        }
        return listed == null ? Verdict.LIST_UNREAD : Verdict.UNKNOWN;
    }

    /** This with the provider's list replaced. */
    KnownModels withListed(Set<String> list) {
        return new KnownModels(list, configured, allowed);
    }

    /** This with the admin-allowed models replaced. */
    KnownModels withAllowed(Set<String> models) {
        return new KnownModels(listed, configured, models);
    }

    /** Where {@code model} comes from: {@code provider} and/or {@code operator}; empty when unknown. */
    List<String> sources(String model) {
        List<String> sources = new ArrayList<>(2);
        if (listed != null && listed.contains(model)) {
            sources.add("provider");
        }
        if (configured.contains(model) || allowed.contains(model)) {
            sources.add("operator");
        }
        return sources;
    }

    /** Every known model, sorted. */
    List<String> all() {
        TreeSet<String> all = new TreeSet<>(configured);
        all.addAll(allowed);
        if (listed != null) {
            all.addAll(listed);
        }
        return List.copyOf(all);
    }
}
