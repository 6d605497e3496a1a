package io.zinteract.images.migration.job;

/**
 * A unit of a job's work that one replica holds under a lease (a row of {@code migration_claims}): a batch, the rows
 * with {@code afterId < id <= throughId} matching the action's condition, or one of the two steps done once per job.
 *
 * @param batchNo   the batch's first ordinal in the walk, or {@link #PREPARE} or {@link #AFTER_ROWS}
 * @param afterId   exclusive lower bound of the batch ({@code null} before the first row)
 * @param owner     the worker id of the replica holding it
 * @param takenFrom the replica whose lease had run out when this one took the claim; {@code null} for a new claim or one
 *                  that was released
 */
public record Claim(String jobId, long batchNo, String afterId, String throughId, String owner, String takenFrom) {

    /** Counting the work and fixing the report's start values. */
    public static final long PREPARE = -2;
    /** Work after the last row (validate's orphan scan, a dry run's cost, backup), and ending the job. */
    public static final long AFTER_ROWS = -1;

    public boolean batch() {
        return batchNo >= 0;
    }
}
