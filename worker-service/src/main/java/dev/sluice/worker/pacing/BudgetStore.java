package dev.sluice.worker.pacing;

import dev.sluice.db.Pipelined;
import dev.sluice.db.pacer.BudgetRow;
import dev.sluice.db.pacer.PacerBudgetRepository;
import java.util.function.UnaryOperator;

/**
 * Where budgets live: PostgreSQL in production ({@link PostgresBudgetStore}), a map in unit tests. An
 * update reads a budget and the store's clock, applies {@code decide} and stores its result, atomically
 * with respect to every other update of the same (credential, model).
 */
interface BudgetStore {

    /** Applies {@code decide} to the budget of {@code credential} and {@code model}; returns what was stored. */
    BudgetRow update(String credential, String model, UnaryOperator<BudgetRow> decide);

    /**
     * As {@link #update(String, String, UnaryOperator)}, with {@code before}, statements of the caller's transaction,
     * sent ahead of the lock in the same round trip.
     */
    BudgetRow update(String credential, String model, UnaryOperator<BudgetRow> decide, Pipelined.Statement before);

    /**
     * As {@link #update(String, String, UnaryOperator, Pipelined.Statement)}, in the caller's transaction, with the
     * write not sent but returned, for the caller to send with its next statements before it commits (nothing to send
     * where the store is not a database).
     */
    PacerBudgetRepository.Decided decide(
            String credential, String model, UnaryOperator<BudgetRow> decide, Pipelined.Statement before);

    /**
     * The budget of {@code credential} and {@code model} at the store's clock, without locking or writing it (empty
     * if there is none yet): for estimates only, since another update may change it at once.
     */
    BudgetRow read(String credential, String model);
}
