package dev.sluice.db.file;

import dev.sluice.common.JobStatus;
import java.util.List;

/** Which of a batch's jobs a result file shows. */
public enum ResultKind {

    /** The output file: jobs that succeeded. */
    OUTPUT(List.of(JobStatus.SUCCEEDED)),
    /** The error file: jobs that failed, were cancelled or expired. */
    ERROR(List.of(JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.EXPIRED)),
    /** Everything finished so far, in line order (GET /v1/batches/{id}/results). */
    ALL_FINISHED(List.of(JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.EXPIRED));

    private final List<JobStatus> statuses;

    ResultKind(List<JobStatus> statuses) {
        this.statuses = statuses;
    }

    /** The job states this kind shows, as stored. */
    public List<String> wireStatuses() {
        return statuses.stream().map(JobStatus::wire).toList();
    }

    /** The {@code files.kind} value, for output and error files. */
    public String fileKind() {
        return switch (this) {
            case OUTPUT -> "output";
            case ERROR -> "error";
            case ALL_FINISHED -> throw new IllegalStateException("no file holds all results");
        };
    }

    /** The kind stored in {@code files.kind}. */
    public static ResultKind fromFileKind(String kind) {
        return switch (kind) {
            case "output" -> OUTPUT;
            case "error" -> ERROR;
            default -> throw new IllegalArgumentException("file kind '" + kind + "' has no results");
        };
    }
}
