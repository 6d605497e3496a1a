package io.zinteract.images.migration.action;

import io.smallrye.mutiny.Uni;
import io.zinteract.images.migration.job.JobAction;
import io.zinteract.images.migration.job.JobContext;
import io.zinteract.images.migration.job.WorkRow;

import java.util.List;

/**
 * An action that walks no rows (backup, cleanup): all its work is in {@link #afterRows}, so the runner's batching,
 * claims and checkpoints pass through it untouched.
 */
interface RowlessAction extends JobAction {

    @Override
    default List<WorkRow> page(JobContext job, String afterId, String throughId, int size) {
        return List.of();
    }

    @Override
    default Uni<Processed> process(JobContext job, WorkRow row, long ordinal) {
        throw new IllegalStateException(action().name().toLowerCase(java.util.Locale.ROOT) + " walks no rows");
    }
}
