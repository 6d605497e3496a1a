package io.zinteract.images.migration.job;

import io.smallrye.mutiny.Uni;

import java.sql.Connection;
import java.sql.SQLException;
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
     * Handles one row. A mutating action either commits the row's change and its {@link ItemResult} in one transaction
     * (through {@code JobRepository.recordItem}) and answers with {@code committed = true}, or answers with a
     * {@link Staged} change that the engine commits together with the other rows of the batch; per-image problems are
     * results, not failures. A store outage answers {@link ItemResult#deferred}. {@code ordinal} is the row's position
     * in the walk, stable across resumes.
     */
    Uni<Processed> process(JobContext job, WorkRow row, long ordinal);

    /** Work after the last row (validate's orphan scan, backup). Blocking; runs on the job's thread. */
    default void afterRows(JobContext job) {
    }

    /**
     * A result, and whether the action already stored it with the row's change; or a {@code staged} change (then
     * {@code result} is provisional: the one recorded is what {@link Staged#apply} returns).
     */
    record Processed(ItemResult result, boolean committed, Staged staged) {
        public Processed(ItemResult result, boolean committed) {
            this(result, committed, null);
        }

        public static Uni<Processed> uncommitted(ItemResult result) {
            return Uni.createFrom().item(new Processed(result, false));
        }

        public static Processed staged(ItemResult provisional, Staged change) {
            return new Processed(provisional, false, change);
        }
    }

    /**
     * A row's change that the engine commits with the other rows of its batch in one transaction, fenced once by the
     * batch's claim, and with each row's result. Rolled back together when the claim went to another replica; then the
     * new holder does the rows again.
     */
    interface Staged {
        /** Applies the change on {@code tx} and returns the row's result, recorded in the same transaction. */
        ItemResult apply(Connection tx, long nowMillis) throws SQLException;

        /** After the commit, with the result recorded (e.g. a hand-over, an orphan's delete); never fails. */
        default Uni<Void> committed(ItemResult result) {
            return Uni.createFrom().voidItem();
        }
    }
}
