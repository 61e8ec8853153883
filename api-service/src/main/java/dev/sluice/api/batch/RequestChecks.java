package dev.sluice.api.batch;

import dev.sluice.api.job.JobRequest;
import dev.sluice.api.model.ModelRegistry;
import dev.sluice.api.tokens.TokenLimits;
import org.springframework.stereotype.Component;

/**
 * What every line of a batch must pass before anything of the batch is stored: its model is one the registry knows
 * (400 {@code model_not_found}), and its tokens fit a whole token window of that model (400
 * {@code request_too_large}); either refusal names the line.
 */
@Component
class RequestChecks implements BatchLines.RequestCheck {

    private final ModelRegistry models;
    private final TokenLimits tokens;

    RequestChecks(ModelRegistry models, TokenLimits tokens) {
        this.models = models;
        this.tokens = tokens;
    }

    @Override
    public void check(JobRequest request, String bodyParam, String where) {
        models.require(request.model(), bodyParam + ".model", where);
        tokens.check(request.model(), request.tokens(), bodyParam, where);
    }
}
