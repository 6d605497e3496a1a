package io.zinteract.images.migration.engine;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.admission.MemoryBudget;
import io.zinteract.images.admission.MemoryConfig;
import io.zinteract.images.admission.MemoryPermit;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.db.Jdbc;
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
import java.util.function.Supplier;

/**
 * Processes the rows of one claimed batch with at most {@code concurrency} images in flight (Mutiny {@code merge}).
 * An action's {@link JobAction.Staged staged} row changes are committed with their results in one transaction per
 * batch ({@link BatchCommit}), fenced once by the batch's claim; other results are recorded as they come. An image
 * already in {@code done}
 * (recorded earlier, by this or a dead replica) is not done again; one not started because the job is stopping is
 * deferred, never counted.
 */
@ApplicationScoped
class BatchExecutor {

    private static final Logger LOG = Logger.getLogger(BatchExecutor.class);
    /** Bytes held per stored byte of an image in flight: its base64 string, the decoded image, the copy sent. */
    static final int MEMORY_FACTOR = 3;
    /**
     * Share of the memory budget that staged rows (verified, waiting for the batch's commit, holding their base64 for
     * the guarded update) may hold before they are committed early: a large batch of large images stays bounded.
     */
    static final int STAGED_SHARE_OF_BUDGET = 4;

    private final JobRepository jobs;
    private final Jdbc jdbc;
    private final MigrationConfig config;
    private final MigrationMetrics metrics;
    private final MemoryBudget memory;
    private final MemoryConfig memoryConfig;

    BatchExecutor(JobRepository jobs, Jdbc jdbc, MigrationConfig config, MigrationMetrics metrics, MemoryBudget memory,
            MemoryConfig memoryConfig) {
        this.jobs = jobs;
        this.jdbc = jdbc;
        this.config = config;
        this.metrics = metrics;
        this.memory = memory;
        this.memoryConfig = memoryConfig;
    }

    /**
     * Runs the batch; adds each image done to {@code done}. Returns false when it ran out of time. {@code firstOrdinal}
     * is the batch's first position in the walk (validate samples on it). The results gathered are committed before
     * it returns, also after a time-out or an outage (what was verified stays done); not when the thread was
     * interrupted (the process is stopping: the rows are done again on resume, their objects reused).
     */
    boolean run(ActiveJob job, JobAction action, List<WorkRow> rows, Set<String> done, long firstOrdinal) {
        job.batchOutage(false);
        BatchCommit commit = new BatchCommit(job, jobs, jdbc, metrics, done, memory.capacity() / STAGED_SHARE_OF_BUDGET);
        CompletableFuture<List<Boolean>> batch = Multi.createFrom().range(0, rows.size())
                .onItem().transformToUni(i -> processOne(job, action, rows.get(i), firstOrdinal + i, commit))
                .merge(job.options.concurrency())
                .collect().asList()
                .ifNoItem().after(config.batchTimeout()).fail()
                .subscribeAsCompletionStage();
        try {
            batch.get();
            commit.close(true);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            batch.cancel(true);
            commit.close(false);
            job.request(ActiveJob.Control.HALT);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof io.smallrye.mutiny.TimeoutException) {
                LOG.warnf("Job %s: a batch took longer than %s", job.id, config.batchTimeout());
                commit.close(true);
                job.batchOutage(true);
                return false;
            }
            IllegalStateException failed = new IllegalStateException(StorageFailures.message(e.getCause()), e.getCause());
            try {
                commit.close(true);
            } catch (RuntimeException notCommitted) {
                failed.addSuppressed(notCommitted);
            }
            throw failed;
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

    private Uni<Boolean> processOne(ActiveJob job, JobAction action, WorkRow row, long ordinal, BatchCommit commit) {
        return Uni.createFrom().deferred(() -> {
            if (commit.done(row.id())) {
                return Uni.createFrom().<Held>nullItem();
            }
            if (job.stopping()) {
                return Uni.createFrom().item(new Held(deferred(row), null));
            }
            return withMemory(row, commit, () -> action.process(job, row, ordinal));
        }).onFailure().recoverWithItem(failure -> new Held(recover(job, row, failure), null))
                .chain(held -> {
                    if (held == null) {
                        return Uni.createFrom().voidItem();
                    }
                    JobAction.Processed processed = held.processed();
                    if (processed.result().deferred() || processed.committed()) {
                        held.release();
                        if (processed.committed()) {
                            commit.markDone(processed.result());
                        }
                        return Uni.createFrom().voidItem();
                    }
                    if (processed.staged() == null) {
                        // A result that changes no row, or reports work already done (variants made): recorded at
                        // once, so that a resumed job does not find that work done and report it otherwise.
                        held.release();
                        return Blocking.run(() -> jobs.recordItem(job, processed.result(), System.currentTimeMillis()))
                                .invoke(() -> commit.markDone(processed.result()));
                    }
                    return commit.add(processed, held.permit()) ? Blocking.run(commit::flush)
                            : Uni.createFrom().voidItem();
                })
                .onFailure(e -> StorageFailures.unwrap(e) instanceof ClaimLostException)
                .recoverWithItem(() -> {
                    lost(job, row);
                    return null;
                })
                .replaceWith(Boolean.TRUE);
    }

    private JobAction.Processed recover(ActiveJob job, WorkRow row, Throwable failure) {
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
    }

    /** A result with the memory it holds (null when none was reserved). */
    private record Held(JobAction.Processed processed, MemoryPermit permit) {
        void release() {
            if (permit != null) {
                permit.release();
            }
        }
    }

    /**
     * Holds the image's bytes in the memory budget while it is processed (its base64, the decoded image, the copy
     * sent to the store), so a job shares the heap with API requests instead of competing for it unseen. A staged row
     * keeps its permit until the batch's commit; {@code commit} releases every permit of the batch at the latest when
     * it closes (a cancelled image's too).
     */
    private Uni<Held> withMemory(WorkRow row, BatchCommit commit, Supplier<Uni<JobAction.Processed>> work) {
        long size = Math.max(row.base64Length(), row.sizeBytes() == null ? 0 : row.sizeBytes());
        if (size <= 0) {
            return work.get().map(processed -> new Held(processed, null));
        }
        return memory.reserve(MEMORY_FACTOR * size, memoryConfig.migrationWait())
                .invoke(commit::track)
                .chain(permit -> work.get().onFailure().invoke(permit::release)
                        .map(processed -> new Held(processed, permit)));
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
