package io.zinteract.images.migration.job;

/**
 * A job as stored in {@code migration_jobs}, or as an active job sees itself right now. Times are Unix milliseconds;
 * {@code cursor} is the id of the last image of the last checkpointed batch ({@code null} before the first).
 */
public record JobRow(String id, Action action, JobState state, JobOptions options, boolean mutating, String cursor,
        long total, long processed, long succeeded, long skipped, long failed, long bytes, JobReport report,
        String error, long createdAt, Long startedAt, Long finishedAt, long updatedAt) {

    public boolean dryRun() {
        return options.dry();
    }
}
