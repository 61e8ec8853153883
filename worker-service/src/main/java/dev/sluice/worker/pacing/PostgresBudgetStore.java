package dev.sluice.worker.pacing;

import dev.sluice.db.Pipelined;
import dev.sluice.db.pacer.BudgetRow;
import dev.sluice.db.pacer.PacerBudgetRepository;
import java.util.function.UnaryOperator;
import org.springframework.stereotype.Component;

/** Budgets in the {@code pacer_budgets} table, shared by every worker, on PostgreSQL's clock. */
@Component
class PostgresBudgetStore implements BudgetStore {

    private final PacerBudgetRepository repository;

    PostgresBudgetStore(PacerBudgetRepository repository) {
        this.repository = repository;
    }

    @Override
    public BudgetRow update(String credential, String model, UnaryOperator<BudgetRow> decide) {
        return repository.update(credential, model, decide);
    }

    @Override
    public BudgetRow update(
            String credential, String model, UnaryOperator<BudgetRow> decide, Pipelined.Statement before) {
        return repository.update(credential, model, decide, before);
    }

    @Override
    public PacerBudgetRepository.Decided decide(
            String credential, String model, UnaryOperator<BudgetRow> decide, Pipelined.Statement before) {
        return repository.decide(credential, model, decide, before);
    }

    @Override
    public BudgetRow read(String credential, String model) {
        return repository.read(credential, model);
    }
}
