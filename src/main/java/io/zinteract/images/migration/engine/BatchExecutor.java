package io.zinteract.images.migration.engine;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.admission.MemoryBudget;
import io.zinteract.images.admission.MemoryConfig;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.migration.job.Claim;
import io.zinteract.images.migration.job.ItemResult;
import io.zinteract.images.migration.job.JobAction;
import io.zinteract.images.migration.job.StorageFailures;
import io.zinteract.images.migration.job.WorkRow;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Processes the rows of one claimed batch with at most {@code concurrency} images in flight (Mutiny {@code merge}),
 * recording each result in the database as it comes. An image already in {@code done} (recorded earlier, by this or a
 * dead replica) is not done again; one not started because the job is stopping is deferred, never counted.
 */
@ApplicationScoped
class BatchExecutor {

    private static final Logger LOG = Logger.getLogger(BatchExecutor.class);
    /** Bytes held per stored byte of an image in flight: its base64 string, the decoded image, the copy sent. */
    static final int MEMORY_FACTOR = 3;

    private final JobRepository jobs;
    private final MigrationConfig config;
    private final MigrationMetrics metrics;
    private final MemoryBudget memory;
    private final MemoryConfig memoryConfig;

    BatchExecutor(JobRepository jobs, MigrationConfig config, MigrationMetrics metrics, MemoryBudget memory,
            MemoryConfig memoryConfig) {
        this.memory = memory;
        this.memoryConfig = memoryConfig;
        this.jobs = jobs;
        this.config = config;
        this.metrics = metrics;
    }

    /**
     * Runs the batch; adds each image done to {@code done}. Returns false when it ran out of time. {@code firstOrdinal}
     * is the batch's first position in the walk (validate samples on it).
     */
    boolean run(ActiveJob job, JobAction action, List<WorkRow> rows, Set<String> done, long firstOrdinal) {
        job.batchOutage(false);
        CompletableFuture<List<Boolean>> batch = Multi.createFrom().range(0, rows.size())
                .onItem().transformToUni(i -> processOne(job, action, rows.get(i), firstOrdinal + i, done))
                .merge(job.options.concurrency())
                .collect().asList()
                .ifNoItem().after(config.batchTimeout()).fail()
                .subscribeAsCompletionStage();
        try {
            batch.get();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            batch.cancel(true);
            job.request(ActiveJob.Control.HALT);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof io.smallrye.mutiny.TimeoutException) {
                LOG.warnf("Job %s: a batch took longer than %s", job.id, config.batchTimeout());
                job.batchOutage(true);
                return false;
            }
            throw new IllegalStateException(StorageFailures.message(e.getCause()), e.getCause());
        }
    }

    /** The batch's rows as they are now, read by its bounds a page at a time. */
    static List<WorkRow> rows(ActiveJob job, JobAction action, Claim claim) {
        int size = Math.max(1, job.options.batchSize());
        List<WorkRow> rows = new ArrayList<>();
        String after = claim.afterId();
        while (true) {
            List<WorkRow> page = action.page(job, after, claim.throughId(), size);
            rows.addAll(page);
            if (page.size() < size) {
                return rows;
            }
            after = page.get(page.size() - 1).id();
        }
    }

    private Uni<Boolean> processOne(ActiveJob job, JobAction action, WorkRow row, long ordinal, Set<String> done) {
        return Uni.createFrom().deferred(() -> {
            if (done.contains(row.id())) {
                return Uni.createFrom().<JobAction.Processed>nullItem();
            }
            if (job.stopping()) {
                return Uni.createFrom().item(deferred(row));
            }
            return withMemory(row, () -> action.process(job, row, ordinal));
        }).onFailure().recoverWithItem(failure -> {
            if (StorageFailures.unwrap(failure) instanceof ClaimLostException) {
                return lost(job, row);
            }
            if (StorageFailures.unwrap(failure) instanceof ApiException busy && busy.code() == ErrorCode.SERVER_BUSY) {
                LOG.debugf("Job %s: no memory free for image %s now; deferred", job.id, row.id());
                return deferred(row);
            }
            if (StorageFailures.outage(failure)) {
                if (!job.batchOutage()) {
                    LOG.warnf("Job %s: store unavailable (%s); waiting for it", job.id, StorageFailures.message(failure));
                }
                job.batchOutage(true);
                return deferred(row);
            }
            if (StorageFailures.fatal(failure)) {
                // Credentials or configuration: every image would fail the same way, so the job stops instead.
                throw new IllegalStateException(StorageFailures.message(failure), failure);
            }
            LOG.warnf(failure, "Job %s: image %s failed", job.id, row.id());
            return new JobAction.Processed(ItemResult.failed(row.id(), Math.max(1, job.attempts(row.id())),
                    StorageFailures.message(failure)), false);
        }).call(processed -> {
            if (processed == null || processed.result().deferred() || processed.committed()) {
                return Uni.createFrom().voidItem();
            }
            return Blocking.run(() -> jobs.recordItem(job, processed.result(), System.currentTimeMillis()));
        }).onFailure(e -> StorageFailures.unwrap(e) instanceof ClaimLostException)
                .recoverWithItem(() -> lost(job, row))
                .invoke(processed -> {
                    if (processed != null && !processed.result().deferred()) {
                        done.add(row.id());
                        job.forget(row.id());
                        metrics.record(job.action, job.options.dry(), processed.result());
                    }
                }).replaceWith(Boolean.TRUE);
    }

    /**
     * Holds the image's bytes in the memory budget while it is processed (its base64, the decoded image, the copy
     * sent to the store), so a job shares the heap with API requests instead of competing for it unseen.
     */
    private Uni<JobAction.Processed> withMemory(WorkRow row, java.util.function.Supplier<Uni<JobAction.Processed>> work) {
        long size = Math.max(row.base64Length(), row.sizeBytes() == null ? 0 : row.sizeBytes());
        if (size <= 0) {
            return work.get();
        }
        return memory.reserve(MEMORY_FACTOR * size, memoryConfig.migrationWait())
                .chain(permit -> work.get().onTermination().invoke(permit::release));
    }

    private static JobAction.Processed deferred(WorkRow row) {
        return new JobAction.Processed(ItemResult.deferred(row.id()), false);
    }

    /** The batch went to another replica while this image was in flight: its result was rolled back; the other does it. */
    private static JobAction.Processed lost(ActiveJob job, WorkRow row) {
        Claim claim = job.claim();
        if (claim != null) {
            job.lost(claim);
        }
        LOG.warnf("Job %s: image %s not recorded here: the batch was taken over by another replica", job.id, row.id());
        return deferred(row);
    }
}
