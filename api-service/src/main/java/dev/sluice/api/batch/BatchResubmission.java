package dev.sluice.api.batch;

import dev.sluice.api.web.ApiException;
import dev.sluice.db.batch.BatchRepository;
import dev.sluice.db.batch.BatchRow;
import dev.sluice.db.job.JobRow;
import dev.sluice.db.tenant.Tenant;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Lets the admin API retry some jobs of a batch the way {@code POST /v1/batches/{id}/retry} does: a new
 * batch of the tenant's with those jobs and the old batch's settings ({@code retry_of} in its metadata),
 * stored and published through the path of {@code POST /v1/batches}. The old batch is not touched.
 */
@Component
public class BatchResubmission {

    private final BatchService service;
    private final BatchRepository batches;

    BatchResubmission(BatchService service, BatchRepository batches) {
        this.service = service;
        this.batches = batches;
    }

    /** The new batch's id; {@code jobs} all belong to {@code batchId}, a batch of {@code tenant}. */
    public String resubmit(Tenant tenant, String batchId, List<JobRow> jobs) {
        BatchRow old = batches.find(tenant.id(), batchId).orElseThrow(() -> ApiException.notFound("batch", batchId));
        return service.resubmit(tenant, old, jobs, null).id();
    }
}
