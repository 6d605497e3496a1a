package io.zinteract.images.migration;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.config.MigrationConfig;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.storage.R2Storage;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs jobs in the background, one thread each, never on the event loop. A job walks its rows batch by batch; within a
 * batch at most {@code concurrency} images are in flight (Mutiny {@code merge}). After a complete batch the counters,
 * report and keyset cursor are written in one transaction (a checkpoint), so a job stopped in any way continues from
 * there with the per-image results recorded since. When the store stops answering the job waits and probes instead
 * of failing images; pause, cancel and shutdown take effect between images.
 */
@ApplicationScoped
public class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);
    static final String ROWS = "rows";
    static final String AFTER_ROWS = "after-rows";

    private final JobRepository jobs;
    private final Map<Action, JobAction> actions = new EnumMap<>(Action.class);
    private final R2Storage storage;
    private final MigrationConfig config;
    private final MigrationMetrics metrics;
    private final Map<String, ActiveJob> active = new ConcurrentHashMap<>();
    private final Map<String, Long> walked = new ConcurrentHashMap<>();
    private final ExecutorService threads;

    public JobRunner(JobRepository jobs, Instance<JobAction> allActions, R2Storage storage, MigrationConfig config,
            MigrationMetrics metrics, MeterRegistry registry) {
        this.jobs = jobs;
        allActions.forEach(a -> actions.put(a.action(), a));
        this.storage = storage;
        this.config = config;
        this.metrics = metrics;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "migration-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        for (JobState state : List.of(JobState.RUNNING, JobState.PAUSED, JobState.WAITING_FOR_STORAGE)) {
            Gauge.builder("migration.job.state", active, jobs1 -> jobs1.values().stream()
                    .filter(j -> j.state() == state).count())
                    .tag("state", state.wire()).description("Jobs of this process in this state").register(registry);
        }
    }

    /** Starts a job whose row was just inserted, or continues one from its stored cursor and items. */
    ActiveJob launch(JobRow row) {
        ActiveJob job = new ActiveJob(row, config.listedItems());
        if (active.putIfAbsent(job.id, job) != null) {
            throw new IllegalStateException("job " + job.id + " is already running here");
        }
        walked.put(job.id, row.processed());
        threads.submit(() -> run(job));
        return job;
    }

    Optional<ActiveJob> active(String id) {
        return Optional.ofNullable(active.get(id));
    }

    Collection<ActiveJob> activeJobs() {
        return List.copyOf(active.values());
    }

    /**
     * Stops every job where it stands, writing nothing more: the database then looks as after a crash (state
     * {@code running}, results since the last checkpoint in the items table). Images in flight finish first, so no
     * write is cut in half. Used at shutdown; the next start resumes these jobs.
     */
    public void halt() {
        List<ActiveJob> running = List.copyOf(active.values());
        running.forEach(job -> job.request(ActiveJob.Control.HALT));
        for (ActiveJob job : running) {
            try {
                job.ended.get(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                LOG.warnf("Job %s did not stop within 60 s", job.id);
            }
        }
    }

    /** Continues the jobs a stopped process left running or waiting; called at start. Returns their ids. */
    public List<String> resumeInterrupted() {
        List<String> resumed = new ArrayList<>();
        for (JobRow row : jobs.findInterrupted()) {
            if (active.containsKey(row.id())) {
                continue;
            }
            LOG.infof("Resuming %s job %s from cursor %s (%d of %d done)", row.action().wire(), row.id(),
                    row.cursor(), row.processed(), row.total());
            jobs.updateState(row.id(), JobState.RUNNING, null, System.currentTimeMillis());
            launch(withState(row, JobState.RUNNING));
            resumed.add(row.id());
        }
        return resumed;
    }

    static JobRow withState(JobRow r, JobState state) {
        return new JobRow(r.id(), r.action(), state, r.options(), r.mutating(), r.cursor(), r.total(), r.processed(),
                r.succeeded(), r.skipped(), r.failed(), r.bytes(), r.report(), null, r.createdAt(), r.startedAt(),
                null, r.updatedAt());
    }

    @PreDestroy
    void close() {
        halt();
        threads.shutdownNow();
    }

    private void run(ActiveJob job) {
        JobAction action = actions.get(job.action);
        try {
            if (job.report().phase == null) {
                long total = action.prepare(job);
                job.total(total);
                job.report().phase = ROWS;
                checkpoint(job, null);
            } else {
                // Results committed after the last checkpoint: count them once and do not do those images again.
                jobs.items(job.id).forEach(job::apply);
            }
            if (ROWS.equals(job.report().phase) && !walkRows(job, action)) {
                return;
            }
            if (!afterRows(job, action)) {
                return;
            }
            end(job, JobState.COMPLETED, null);
        } catch (Throwable e) {
            LOG.errorf(e, "Job %s failed", job.id);
            end(job, JobState.FAILED, StorageFailures.message(e));
        }
    }

    /** Returns false when the job stopped (pause, cancel, halt, outage that lasted too long). */
    private boolean walkRows(ActiveJob job, JobAction action) {
        int batchSize = job.options.batchSize();
        int timeouts = 0;
        while (true) {
            if (job.control() != ActiveJob.Control.NONE) {
                stop(job);
                return false;
            }
            int size = batchSize;
            if (job.options.limit() != null) {
                long left = job.options.limit() - job.processed();
                if (left <= 0) {
                    break;
                }
                size = (int) Math.min(size, left);
            }
            List<WorkRow> page = action.page(job, job.cursor(), size);
            if (page.isEmpty()) {
                break;
            }
            boolean timedOut = !runBatch(job, action, page);
            if (job.control() == ActiveJob.Control.HALT) {
                stop(job);
                return false;
            }
            if (page.stream().allMatch(row -> job.done(row.id()))) {
                checkpoint(job, page.get(page.size() - 1).id());
                timeouts = 0;
                continue;
            }
            if (job.control() != ActiveJob.Control.NONE) {
                stop(job);
                return false;
            }
            if (timedOut && ++timeouts >= config.maxAttempts()) {
                throw new IllegalStateException("a batch timed out " + timeouts + " times (limit "
                        + config.batchTimeout() + "); resume the job to try again");
            }
            if (!waitForStorage(job)) {
                return false;
            }
        }
        job.report().phase = AFTER_ROWS;
        checkpoint(job, job.cursor());
        return true;
    }

    private boolean afterRows(ActiveJob job, JobAction action) {
        while (true) {
            if (job.control() != ActiveJob.Control.NONE) {
                stop(job);
                return false;
            }
            try {
                action.afterRows(job);
                checkpoint(job, job.cursor());
                return true;
            } catch (RuntimeException e) {
                if (!StorageFailures.outage(e)) {
                    throw e;
                }
                LOG.warnf("Job %s: store unavailable after the rows (%s)", job.id, StorageFailures.message(e));
                job.batchOutage(true);
                if (!waitForStorage(job)) {
                    return false;
                }
            }
        }
    }

    /** Runs one batch with bounded concurrency; returns false when it ran out of time. */
    private boolean runBatch(ActiveJob job, JobAction action, List<WorkRow> page) {
        job.batchOutage(false);
        long base = walked.getOrDefault(job.id, 0L);
        int concurrency = job.options.concurrency();
        CompletableFuture<List<Boolean>> batch = Multi.createFrom().range(0, page.size())
                .onItem().transformToUni(i -> processOne(job, action, page.get(i), base + i))
                .merge(concurrency)
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

    private Uni<Boolean> processOne(ActiveJob job, JobAction action, WorkRow row, long ordinal) {
        return Uni.createFrom().deferred(() -> {
            if (job.done(row.id())) {
                return Uni.createFrom().<JobAction.Processed>nullItem();
            }
            if (job.stopping()) {
                return Uni.createFrom().item(new JobAction.Processed(ItemResult.deferred(row.id()), false));
            }
            return action.process(job, row, ordinal);
        }).onFailure().recoverWithItem(failure -> {
            if (StorageFailures.outage(failure)) {
                if (!job.batchOutage()) {
                    LOG.warnf("Job %s: store unavailable (%s); waiting for it", job.id, StorageFailures.message(failure));
                }
                job.batchOutage(true);
                return new JobAction.Processed(ItemResult.deferred(row.id()), false);
            }
            if (StorageFailures.fatal(failure)) {
                // Credentials or configuration: every image would fail the same way, so the job stops instead.
                throw new IllegalStateException(StorageFailures.message(failure), failure);
            }
            LOG.warnf(failure, "Job %s: image %s failed", job.id, row.id());
            return new JobAction.Processed(ItemResult.failed(row.id(), Math.max(1, job.attempts(row.id())),
                    StorageFailures.message(failure)), false);
        }).call(processed -> {
            if (processed == null || processed.result().deferred()) {
                return Uni.createFrom().voidItem();
            }
            if (processed.committed()) {
                return Uni.createFrom().voidItem();
            }
            return Blocking.run(() -> jobs.recordItem(job.id, processed.result(), System.currentTimeMillis()));
        }).invoke(processed -> {
            if (processed != null) {
                job.apply(processed.result());
                metrics.record(job.action, job.options.dry(), processed.result());
            }
        }).replaceWith(Boolean.TRUE);
    }

    /** Waits until the store answers a probe; returns false when the job stopped meanwhile. */
    private boolean waitForStorage(ActiveJob job) {
        job.state(JobState.WAITING_FOR_STORAGE, null);
        jobs.updateState(job.id, JobState.WAITING_FOR_STORAGE, null, System.currentTimeMillis());
        long deadline = System.currentTimeMillis() + config.storageWaitLimit().toMillis();
        Duration probeTimeout = config.probeTimeout();
        while (true) {
            if (!job.sleep(config.probeInterval())) {
                stop(job);
                return false;
            }
            try {
                storage.ping(probeTimeout).await().atMost(probeTimeout.plusSeconds(1));
                LOG.infof("Job %s: the store answers again; continuing", job.id);
                job.state(JobState.RUNNING, null);
                jobs.updateState(job.id, JobState.RUNNING, null, System.currentTimeMillis());
                return true;
            } catch (RuntimeException e) {
                if (System.currentTimeMillis() > deadline) {
                    end(job, JobState.FAILED, "the object store did not answer for " + config.storageWaitLimit()
                            + ": " + StorageFailures.message(e));
                    return false;
                }
            }
        }
    }

    private void checkpoint(ActiveJob job, String cursor) {
        Set<String> folded = job.advance(cursor);
        JobRow row = job.snapshot(System.currentTimeMillis(), jobs);
        jobs.checkpoint(row, folded);
        walked.put(job.id, row.processed());
    }

    /** Acts on the control that stopped the job. */
    private void stop(ActiveJob job) {
        switch (job.control()) {
            case PAUSE -> {
                job.state(JobState.PAUSED, null);
                jobs.updateState(job.id, JobState.PAUSED, null, System.currentTimeMillis());
                release(job, JobState.PAUSED);
            }
            case CANCEL -> end(job, JobState.CANCELLED, null);
            default -> release(job, job.state());
        }
    }

    private void end(ActiveJob job, JobState state, String error) {
        try {
            jobs.updateState(job.id, state, error, System.currentTimeMillis());
        } catch (RuntimeException e) {
            LOG.errorf(e, "Job %s: could not record state %s", job.id, state.wire());
        }
        job.state(state, error);
        LOG.infof("Job %s (%s) %s", job.id, job.action.wire(), state.wire());
        if (job.mutating) {
            metrics.refreshRemaining();
        }
        release(job, state);
    }

    private void release(ActiveJob job, JobState state) {
        active.remove(job.id, job);
        walked.remove(job.id);
        job.ended.complete(state);
    }
}
