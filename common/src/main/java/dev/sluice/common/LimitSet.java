package dev.sluice.common;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Every limit in force for one model, each with where it came from: the operator's ({@code PUT /admin/limits}) or,
 * when the operator set none, the default ({@code SLUICE_DEFAULT_LIMIT}), joined by what the provider taught in
 * its 429s and headers. All of them hold at once: a request is sent only when every request window has room for
 * one more and every token window has room for its tokens. A learned limit never drops a configured one; it
 * replaces only an earlier learned limit of the same unit and window.
 *
 * @param entries the limits, configured (or default) ones first, then learned ones; never empty
 */
public record LimitSet(List<Entry> entries) {

    /** Where a limit in force came from. */
    public enum Source {
        /** Set by an operator for this model. */
        CONFIGURED,
        /** {@code SLUICE_DEFAULT_LIMIT}, for a model the operator set nothing for. */
        DEFAULT,
        /** Stated by the provider, in a 429's text or its rate-limit headers. */
        LEARNED;

        /** The name used in the API. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One limit in force.
     *
     * @param limit     the limit
     * @param source    where it came from
     * @param learnedAt when the provider stated it, for a learned limit; otherwise null
     */
    public record Entry(Limit limit, Source source, Instant learnedAt) {

        public Entry {
            Objects.requireNonNull(limit, "limit");
            Objects.requireNonNull(source, "source");
        }
    }

    public LimitSet {
        entries = List.copyOf(entries);
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("a model has at least one limit");
        }
    }

    /**
     * The set in force: {@code configured} (or {@code defaults} when the operator set nothing, null or empty)
     * joined by {@code learned}.
     */
    public static LimitSet of(List<Limit> configured, List<Limit> defaults, List<Entry> learned) {
        List<Entry> entries = new ArrayList<>();
        boolean own = configured != null && !configured.isEmpty();
        for (Limit limit : own ? configured : defaults) {
            entries.add(new Entry(limit, own ? Source.CONFIGURED : Source.DEFAULT, null));
        }
        entries.addAll(learned);
        return new LimitSet(entries);
    }

    /** The set with only {@code limits}, as configured: for tests and for a single limit. */
    public static LimitSet configured(Limit... limits) {
        return of(List.of(limits), List.of(), List.of());
    }

    /** Every limit in force. */
    public List<Limit> limits() {
        return entries.stream().map(Entry::limit).toList();
    }

    /**
     * The set after the provider stated {@code learned}: it replaces a learned limit of the same unit and window,
     * and joins otherwise.
     */
    public LimitSet learn(Limit learned, Instant at) {
        List<Entry> next = new ArrayList<>();
        for (Entry entry : entries) {
            if (!(entry.source() == Source.LEARNED && entry.limit().sameKind(learned))) {
                next.add(entry);
            }
        }
        next.add(new Entry(learned, Source.LEARNED, at));
        return new LimitSet(next);
    }

    /**
     * Whether the set already enforces {@code stated} (some limit of the same unit and window admits no more than
     * it): a 429 stating such a limit teaches nothing new.
     */
    public boolean enforces(Limit stated) {
        return entries.stream()
                .map(Entry::limit)
                .anyMatch(limit -> limit.sameKind(stated) && limit.amount() <= stated.amount());
    }

    /** The fewest tokens any token window admits, or empty when no limit counts tokens. */
    public OptionalLong tokenCeiling() {
        return limits().stream()
                .filter(limit -> !limit.countsRequests())
                .mapToLong(Limit::amount)
                .min();
    }

    /** The token limit with the fewest tokens, if any. */
    public Optional<Limit> tightestTokenLimit() {
        return limits().stream().filter(limit -> !limit.countsRequests()).min(Comparator.comparingLong(Limit::amount));
    }

    /** The shortest window among limits of {@code unit}, if any. */
    public Optional<Duration> shortestWindow(Limit.Unit unit) {
        return limits().stream()
                .filter(limit -> limit.unit() == unit)
                .map(Limit::window)
                .min(Comparator.naturalOrder());
    }

    /** The shortest window of all: how long a model's budget remembers the least. */
    public Duration shortestWindow() {
        return limits().stream()
                .map(Limit::window)
                .min(Comparator.naturalOrder())
                .orElseThrow();
    }

    /** The longest window of all: how long a send must be remembered. */
    public Duration longestWindow() {
        return limits().stream()
                .map(Limit::window)
                .max(Comparator.naturalOrder())
                .orElseThrow();
    }

    @Override
    public String toString() {
        return String.join(", ", limits().stream().map(Limit::toString).toList());
    }

    /** Refuses two limits of the same unit and window in one list (which of them would hold?). */
    static void checkDistinct(List<Limit> limits) {
        if (limits.isEmpty()) {
            throw new IllegalArgumentException("at least one limit is needed");
        }
        Set<String> seen = new HashSet<>();
        for (Limit limit : limits) {
            if (!seen.add(limit.unit() + "/" + limit.window())) {
                throw new IllegalArgumentException("two limits of the same unit and window: " + limits);
            }
        }
    }

    /** {@link #checkDistinct}, for callers outside this package that validate a list an operator gave. */
    public static List<Limit> distinct(List<Limit> limits) {
        checkDistinct(limits);
        return List.copyOf(limits);
    }
}
