package io.zinteract.images.migration.job;

import io.smallrye.mutiny.Uni;

import java.util.List;

/**
 * One job action. The runner owns batching, concurrency, checkpoints, outages and control; an action only says
 * which rows it walks and what it does with one of them.
 */
public interface JobAction {

    Action action();

    /** Counts the work and fills the report's start values; returns the job's total. Blocking, before the first batch. */
    long prepare(JobContext job);

    /**
     * The next rows after {@code afterId} ({@code null} at the start) and, unless {@code throughId} is {@code null}, up to
     * and including {@code throughId}: a claimed batch is re-read by its bounds. Ids are compared by the database, never
     * in Java, so the order is the database's collation on both SQLite and PostgreSQL. Blocking.
     */
    List<WorkRow> page(JobContext job, String afterId, String throughId, int size);

    /**
     * Handles one row. A mutating action commits the row's change and its {@link ItemResult} in one transaction
     * (through {@code JobRepository.recordItem}) and answers with {@code committed = true}; per-image problems are
     * results, not failures. A store outage answers {@link ItemResult#deferred}. {@code ordinal} is the row's position
     * in the walk, stable across resumes.
     */
    Uni<Processed> process(JobContext job, WorkRow row, long ordinal);

    /** Work after the last row (validate's orphan scan, backup). Blocking; runs on the job's thread. */
    default void afterRows(JobContext job) {
    }

    /** A result, and whether the action already stored it with the row's change. */
    record Processed(ItemResult result, boolean committed) {
        public static Uni<Processed> uncommitted(ItemResult result) {
            return Uni.createFrom().item(new Processed(result, false));
        }
    }
}
