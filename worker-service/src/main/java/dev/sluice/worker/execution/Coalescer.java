package dev.sluice.worker.execution;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs concurrent requests of one kind (a worker's claims, or its finishes) as few statements: group commit, as a
 * database does it. A request that finds no statement running runs one at once, taking with it every request waiting
 * (so a lone request waits for nobody); requests that arrive while a statement runs are taken together by the next
 * one. Under load this turns one transaction per job into one per group, on one connection instead of one per job.
 *
 * <p>Who runs the next statement is decided by a counter of requests not yet accounted for: the caller that moves it
 * from zero drains until nothing was missed. A caller whose own request is answered while others still wait hands
 * the rest of the drain to a virtual thread, so no job waits on more than the statement it was part of and the one
 * before it.
 *
 * @param <I> one request
 * @param <O> its answer
 */
final class Coalescer<I, O> {

    private record Pending<I, O>(I request, CompletableFuture<O> answer) {}

    private final Queue<Pending<I, O>> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger unaccounted = new AtomicInteger();
    private final Function<List<I>, List<O>> statement;
    private final int most;
    private final String name;

    /**
     * @param name      names the virtual threads that continue a drain
     * @param most      the most requests one statement takes
     * @param statement runs a group of requests; returns their answers in the same order
     */
    Coalescer(String name, int most, Function<List<I>, List<O>> statement) {
        if (most < 1) {
            throw new IllegalArgumentException("a group holds at least one request, got " + most);
        }
        this.name = name;
        this.most = most;
        this.statement = statement;
    }

    /** The answer to {@code request}, run alone or with the requests that wait beside it; rethrows its failure. */
    O run(I request) {
        Pending<I, O> mine = new Pending<>(request, new CompletableFuture<>());
        waiting.add(mine);
        if (unaccounted.getAndIncrement() == 0) {
            drain(1, mine);
        }
        try {
            return mine.answer().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * Runs groups until every request counted in {@code missed} (and any counted meanwhile) is answered; with
     * {@code mine}, stops once that is answered and leaves the rest to a new virtual thread.
     */
    private void drain(int missed, Pending<I, O> mine) {
        int left = missed;
        while (true) {
            List<Pending<I, O>> group = take();
            if (!group.isEmpty()) {
                execute(group);
                if (mine == null || !mine.answer().isDone()) {
                    continue;
                }
                if (!waiting.isEmpty()) {
                    handOff(left);
                    return;
                }
            }
            left = unaccounted.addAndGet(-left);
            if (left == 0) {
                return;
            }
            if (mine != null && mine.answer().isDone()) {
                handOff(left);
                return;
            }
        }
    }

    private void handOff(int left) {
        Thread.ofVirtual().name(name).start(() -> drain(left, null));
    }

    private List<Pending<I, O>> take() {
        List<Pending<I, O>> group = new ArrayList<>();
        Pending<I, O> next;
        while (group.size() < most && (next = waiting.poll()) != null) {
            group.add(next);
        }
        return group;
    }

    private void execute(List<Pending<I, O>> group) {
        try {
            List<O> answers =
                    statement.apply(group.stream().map(Pending::request).toList());
            for (int i = 0; i < group.size(); i++) {
                group.get(i).answer().complete(answers.get(i));
            }
        } catch (RuntimeException | Error e) {
            group.forEach(pending -> pending.answer().completeExceptionally(e));
        }
    }

    /** Requests queued for the next statement now (for tests that wait for a group to form). */
    int waiting() {
        return waiting.size();
    }
}
