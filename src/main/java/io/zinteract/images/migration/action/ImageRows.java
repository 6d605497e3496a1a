package io.zinteract.images.migration.action;

import io.smallrye.mutiny.Uni;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.db.Jdbc;
import io.zinteract.images.image.data.ImageRowCache;
import io.zinteract.images.migration.engine.JobRepository;
import io.zinteract.images.migration.job.ItemResult;
import io.zinteract.images.migration.job.JobContext;
import io.zinteract.images.migration.job.WorkRow;
import jakarta.enterprise.context.ApplicationScoped;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * What the actions that walk the images table share: the walk of the rows matching their condition (within the job's
 * {@code imageIds}), and the commit of a row's change together with its result, so that a resumed job knows what it
 * did. Blocking, except {@link #commit}.
 */
@ApplicationScoped
class ImageRows {

    private final MigrationRepository images;
    private final JobRepository jobs;
    private final Jdbc jdbc;
    private final ImageRowCache cache;

    ImageRows(MigrationRepository images, JobRepository jobs, Jdbc jdbc, ImageRowCache cache) {
        this.cache = cache;
        this.images = images;
        this.jobs = jobs;
        this.jdbc = jdbc;
    }

    /** A change of one row: returns the row's result, written in the same transaction {@code tx}. */
    @FunctionalInterface
    interface Change {
        ItemResult apply(Connection tx, long nowMillis) throws SQLException;
    }

    /** Fills the report's scope (what is around the job's rows) and counts the rows matching {@code condition}. */
    long prepare(JobContext job, String condition, List<Object> args) {
        job.report().scope().putAll(images.scope(job.options().imageIds()));
        return images.count(condition, args, job.options().imageIds());
    }

    List<WorkRow> page(JobContext job, String condition, List<Object> args, String afterId, String throughId, int size) {
        return images.page(condition, args, job.options().imageIds(), afterId, throughId, size);
    }

    /**
     * Runs {@code change} and records its result in one transaction, on a worker thread. Then the row leaves the
     * serving cache: migrate re-keys it, rollback detaches it from its object, purge empties its base64, a failure
     * marks it; each is seen by this replica's next GET (other replicas within {@code IMAGE_CACHE_TTL}).
     */
    /** For a row whose change another transaction committed (a batch's): it leaves the serving cache as in {@link #commit}. */
    void committed(String imageId) {
        cache.invalidate(imageId);
    }

    Uni<ItemResult> commit(JobContext job, Change change) {
        return Blocking.call(() -> {
            ItemResult committed = jdbc.inTransaction(tx -> {
                long now = System.currentTimeMillis();
                ItemResult result = change.apply(tx, now);
                jobs.recordItem(tx, job, result, now);
                return result;
            });
            cache.invalidate(committed.imageId());
            return committed;
        });
    }

    /** Replaces a committed result with what happened after the commit (see {@link JobRepository#updateItem}). */
    void update(JobContext job, ItemResult result) {
        jobs.updateItem(job, result);
    }
}
