package dev.sluice.worker.pacing;

import dev.sluice.db.Pipelined;
import dev.sluice.db.pacer.BudgetRow;
import dev.sluice.db.pacer.PacerBudgetRepository;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Budgets in a map, on a clock the test controls: the pacer's logic without PostgreSQL. */
final class InMemoryBudgetStore implements BudgetStore {

    private final Map<String, BudgetRow> rows = new HashMap<>();
    private final InstantSource clock;
    private int transactions;

    InMemoryBudgetStore(InstantSource clock) {
        this.clock = clock;
    }

    @Override
    public synchronized BudgetRow update(String credential, String model, UnaryOperator<BudgetRow> decide) {
        transactions++;
        Instant now = clock.instant();
        long nowUs = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
        BudgetRow current =
                rows.getOrDefault(credential + "|" + model, BudgetRow.empty(0)).at(nowUs);
        BudgetRow next = decide.apply(current);
        rows.put(credential + "|" + model, next);
        return next;
    }

    @Override
    public BudgetRow update(
            String credential, String model, UnaryOperator<BudgetRow> decide, Pipelined.Statement before) {
        send(before);
        return update(credential, model, decide);
    }

    @Override
    public PacerBudgetRepository.Decided decide(
            String credential, String model, UnaryOperator<BudgetRow> decide, Pipelined.Statement before) {
        // Stored at once: there is no write to send.
        return new PacerBudgetRepository.Decided(update(credential, model, decide, before), Pipelined.Statement.NONE);
    }

    /** There is no database here: only nothing can be sent. */
    private static void send(Pipelined.Statement statements) {
        if (!statements.sql().isBlank()) {
            throw new UnsupportedOperationException("no database to send statements to");
        }
    }

    @Override
    public synchronized BudgetRow read(String credential, String model) {
        Instant now = clock.instant();
        long nowUs = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
        return rows.getOrDefault(credential + "|" + model, BudgetRow.empty(0)).at(nowUs);
    }

    /** How many updates (in PostgreSQL: transactions locking the row) were made. */
    synchronized int transactions() {
        return transactions;
    }
}
