package io.zinteract.images.migration.view;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.zinteract.images.migration.engine.JobLedger;
import io.zinteract.images.migration.job.Action;
import io.zinteract.images.migration.job.JobError;
import io.zinteract.images.migration.job.JobOptions;
import io.zinteract.images.migration.job.JobReport;
import io.zinteract.images.migration.job.JobRow;
import io.zinteract.images.migration.job.JobState;
import io.zinteract.images.migration.job.Listing;

import java.time.Instant;
import java.util.List;

/**
 * A job as the API shows it. The count of done images is named after the action ({@code migrated},
 * {@code rolledBack}, {@code purged}; {@code valid} for validate); lists are bounded and carry exact totals.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Job(String jobId, Action action, JobState state, boolean dryRun, JobOptions options, long total,
        long processed, Long migrated, Long rolledBack, Long purged, long skipped, long failed, long bytes,
        String startedAt, String finishedAt, String updatedAt, Throughput throughput, Long etaSeconds,
        Listing<JobError> errors, Long valid, Listing<String> missing, Listing<String> corrupted,
        Listing<String> orphaned, @JsonProperty("isValid") Boolean isValid, String cursor, JobReport report,
        List<JobLedger.Share> workers, String error) {

    @RegisterForReflection
    public record Throughput(double imagesPerSecond, double bytesPerSecond) {
    }

    /**
     * {@code row.report()} must be this answer's own copy: the validate lists are moved out of it. {@code workers} is
     * how the folded work was shared between replicas (omitted when empty).
     */
    static Job of(JobRow row, Listing<JobError> errors, long nowMillis, List<JobLedger.Share> workers) {
        JobReport r = row.report() == null ? new JobReport() : row.report();
        Long succeeded = row.succeeded();
        long end = row.finishedAt() != null ? row.finishedAt() : nowMillis;
        long start = row.startedAt() != null ? row.startedAt() : row.createdAt();
        double seconds = Math.max(0.001, (end - start) / 1000.0);
        Throughput throughput = new Throughput(round(row.processed() / seconds), round(row.bytes() / seconds));
        Long eta = null;
        if (row.state().active() && row.processed() > 0 && row.total() >= row.processed()) {
            eta = Math.round((row.total() - row.processed()) / Math.max(throughput.imagesPerSecond(), 0.001));
        }
        boolean validate = row.action() == Action.VALIDATE;
        Boolean isValid = validate && row.state() == JobState.COMPLETED
                ? count(r.missing) == 0 && count(r.corrupted) == 0 && count(r.conflicts) == 0
                        && count(r.variantProblems) == 0 && row.failed() == 0 : null;
        Listing<String> missing = r.missing;
        Listing<String> corrupted = r.corrupted;
        Listing<String> orphaned = r.orphaned;
        // Shown at the top of the job; the report is a copy made for this answer, so it can lose them.
        r.missing = null;
        r.corrupted = null;
        r.orphaned = null;
        return new Job(row.id(), row.action(), row.state(), row.dryRun(), row.options(), row.total(), row.processed(),
                row.action() == Action.MIGRATE ? succeeded : null, row.action() == Action.ROLLBACK ? succeeded : null,
                row.action() == Action.PURGE ? succeeded : null, row.skipped(), row.failed(), row.bytes(),
                iso(row.startedAt()), iso(row.finishedAt()), iso(row.updatedAt()), throughput, eta, errors,
                validate ? (r.valid == null ? 0L : r.valid) : null, validate ? orEmpty(missing) : null,
                validate ? orEmpty(corrupted) : null, (validate && row.options().scanOrphans()) || row.action() == Action.CLEANUP
                        ? orEmpty(orphaned) : null,
                isValid, row.cursor(), r, workers == null || workers.isEmpty() ? null : workers, row.error());
    }

    private static long count(Listing<?> listing) {
        return listing == null ? 0 : listing.total;
    }

    private static <T> Listing<T> orEmpty(Listing<T> listing) {
        return listing == null ? new Listing<>() : listing;
    }

    private static String iso(Long millis) {
        return millis == null ? null : Instant.ofEpochMilli(millis).toString();
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
