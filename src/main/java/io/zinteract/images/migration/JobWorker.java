package io.zinteract.images.migration;

import io.zinteract.images.config.MigrationConfig;
import io.zinteract.images.storage.R2Storage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The loop every replica runs for a job it works on: take over a batch whose lease ran out, else cut the next batch
 * after the shared frontier, process it ({@link BatchExecutor}) and fold its results into the job ({@link JobLedger});
 * when no rows are left and no batch is open, the one replica that claims the work after the rows does it and ends the
 * job. Claims are leased ({@link ClaimRepository}) and renewed by {@link ReplicaCoordinator}, so a batch of a replica
 * that died is taken over and its done images are not done again. When the store stops answering the job waits and
 * probes instead of failing images; pause, cancel and shutdown take effect between images.
 */
@ApplicationScoped
class JobWorker {

    private static final Logger LOG = Logger.getLogger(JobWorker.class);
    static final String ROWS = "rows";
    static final String AFTER_ROWS = "after-rows";
    private static final Duration PREPARE_POLL = Duration.ofMillis(250);

    private final JobRepository jobs;
    private final ClaimRepository claims;
    private final JobLedger ledger;
    private final BatchExecutor batches;
    private final Map<Action, JobAction> actions = new EnumMap<>(Action.class);
    private final R2Storage storage;
    private final MigrationConfig config;
    private final MigrationMetrics metrics;
    private final String worker;
    private final Map<String, Consumer<ActiveJob>> released = new ConcurrentHashMap<>();

    JobWorker(JobRepository jobs, ClaimRepository claims, JobLedger ledger, BatchExecutor batches,
            Instance<JobAction> allActions, R2Storage storage, MigrationConfig config, MigrationMetrics metrics,
            WorkerId worker) {
        this.jobs = jobs;
        this.claims = claims;
        this.ledger = ledger;
        this.batches = batches;
        allActions.forEach(a -> actions.put(a.action(), a));
        this.storage = storage;
        this.config = config;
        this.metrics = metrics;
        this.worker = worker.value();
    }

    /**
     * Works on the job until it ends or this process stops working on it; {@code released} is called just before
     * {@code job.ended} completes.
     */
    void run(ActiveJob job, Consumer<ActiveJob> released) {
        this.released.put(job.id, released);
        JobAction action = actions.get(job.action);
        try {
            if (!prepared(job, action)) {
                return;
            }
            while (true) {
                if (job.control() != ActiveJob.Control.NONE) {
                    stop(job);
                    return;
                }
                Optional<Claim> batch = nextBatch(job, action);
                if (batch.isPresent()) {
                    if (!work(job, action, batch.get())) {
                        return;
                    }
                    continue;
                }
                Optional<Claim> step = claims.openBatches(job.id) == 0
                        ? claims.claimStep(job.id, Claim.AFTER_ROWS, worker, now(), leaseMillis())
                        : Optional.empty();
                if (step.isPresent()) {
                    if (afterRows(job, action, step.get())) {
                        end(job, JobState.COMPLETED, null);
                    }
                    return;
                }
                // Other replicas hold the last batches or the final step: wait for them, or for their leases to end.
                if (!awaitOthers(job, config.heartbeat())) {
                    return;
                }
            }
        } catch (Throwable e) {
            LOG.errorf(e, "Job %s failed", job.id);
            end(job, JobState.FAILED, StorageFailures.message(e));
        }
    }

    /** Waits until the job is prepared (counted, report started), by this replica or another; false when it stopped. */
    private boolean prepared(ActiveJob job, JobAction action) {
        while (true) {
            JobRow row = jobs.find(job.id).orElseThrow(() -> new IllegalStateException("job " + job.id + " is gone"));
            if (!row.state().active() || row.state() == JobState.PAUSED) {
                leave(job, row.state());
                return false;
            }
            job.stored(row);
            if (row.report().phase != null) {
                return true;
            }
            Optional<Claim> step = claims.claimStep(job.id, Claim.PREPARE, worker, now(), leaseMillis());
            if (step.isPresent()) {
                job.hold(step.get(), safeUntil());
                long total = action.prepare(job);
                job.report().phase = ROWS;
                job.drop();
                ledger.prepared(step.get(), total, job.report());
                continue;
            }
            // Another replica is counting the rows, usually for well under a second: look again soon, not a heartbeat on.
            if (!awaitOthers(job, PREPARE_POLL.compareTo(config.heartbeat()) < 0 ? PREPARE_POLL : config.heartbeat())) {
                return false;
            }
        }
    }

    /** A batch whose lease ran out, else a new one after the frontier; empty once the walk is over. */
    private Optional<Claim> nextBatch(ActiveJob job, JobAction action) {
        Optional<Claim> taken = claims.takeExpired(job.id, worker, now(), leaseMillis());
        if (taken.isPresent()) {
            if (taken.get().takenFrom() != null) {
                LOG.infof("Job %s: took over batch %d (ids after %s through %s) from %s, whose lease had expired", job.id,
                        taken.get().batchNo(), taken.get().afterId(), taken.get().throughId(), taken.get().takenFrom());
                metrics.takenOver();
            }
            return taken;
        }
        int batchSize = job.options.batchSize();
        for (int tries = 0; tries < 1000; tries++) {
            ClaimRepository.Frontier seen = claims.frontier(job.id);
            if (seen.rowsDone()) {
                return Optional.empty();
            }
            int size = batchSize;
            if (job.options.limit() != null) {
                size = (int) Math.min(size, Math.max(0, job.options.limit() - seen.carved()));
            }
            List<WorkRow> page = size == 0 ? List.of() : action.page(job, seen.frontier(), null, size);
            if (page.isEmpty()) {
                claims.seal(job.id, seen);
                continue;
            }
            Optional<Claim> carved = claims.carve(job.id, worker, seen, page.size(), page.get(page.size() - 1).id(),
                    now(), leaseMillis());
            if (carved.isPresent()) {
                return carved;
            }
        }
        throw new IllegalStateException("no batch could be claimed in 1000 tries");
    }

    /** Processes a claimed batch until every row is done; false when the job stopped. */
    private boolean work(ActiveJob job, JobAction action, Claim claim) {
        job.hold(claim, safeUntil());
        Set<String> done = ConcurrentHashMap.newKeySet();
        done.addAll(ledger.doneIds(claim));
        int timeouts = 0;
        while (true) {
            List<WorkRow> rows = rows(job, action, claim);
            boolean timedOut = !batches.run(job, action, rows, done, claim.batchNo());
            if (job.control() == ActiveJob.Control.HALT) {
                stop(job);
                return false;
            }
            if (rows.stream().allMatch(row -> done.contains(row.id()))) {
                // Dropped first: the fold deletes the claim, and a heartbeat must not take that for a takeover. The
                // fold is fenced, so it goes through exactly when the claim is still ours.
                job.drop();
                try {
                    ledger.fold(claim, true);
                } catch (ClaimLostException e) {
                    return abandon(job, claim);
                }
                return true;
            }
            if (job.claimLost()) {
                return abandon(job, claim);
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
    }

    /** The claim is not surely ours any more: leave the batch to whoever holds it now and go on with the next. */
    private boolean abandon(ActiveJob job, Claim claim) {
        LOG.warnf("Job %s: batch %d is no longer this replica's (lease lost); leaving it to its new holder", job.id,
                claim.batchNo());
        job.drop();
        try {
            claims.release(claim);
        } catch (RuntimeException e) {
            LOG.debugf("Job %s: could not release batch %d: %s", job.id, claim.batchNo(), e.getMessage());
        }
        return true;
    }

    /** The batch's rows as they are now, read by its bounds a page at a time. */
    private static List<WorkRow> rows(ActiveJob job, JobAction action, Claim claim) {
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

    /** The work after the rows, by the one replica that claimed it; true when the job completed. */
    private boolean afterRows(ActiveJob job, JobAction action, Claim step) {
        job.hold(step, safeUntil());
        JobRow row = jobs.find(job.id).orElseThrow();
        if (!row.state().active() || row.state() == JobState.PAUSED) {
            // Ended or paused between our last look and the claim: nothing left to do here.
            leave(job, row.state());
            return false;
        }
        // Results outside every batch's bounds: only a job started by an earlier version can have them.
        ledger.fold(step, false);
        job.stored(jobs.find(job.id).orElseThrow());
        job.report().phase = AFTER_ROWS;
        ledger.saveReport(step, job.report());
        while (true) {
            if (job.control() != ActiveJob.Control.NONE) {
                stop(job);
                return false;
            }
            try {
                action.afterRows(job);
                job.drop();
                ledger.complete(step, job.report());
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

    /** Sleeps a heartbeat; false when the job stopped or was paused or ended elsewhere meanwhile. */
    private boolean awaitOthers(ActiveJob job, Duration pause) {
        if (!job.sleep(pause)) {
            stop(job);
            return false;
        }
        JobState stored = jobs.state(job.id).orElse(JobState.CANCELLED);
        if (!stored.active() || stored == JobState.PAUSED) {
            leave(job, stored);
            return false;
        }
        return true;
    }

    /** Waits until the store answers a probe; returns false when the job stopped meanwhile. */
    private boolean waitForStorage(ActiveJob job) {
        job.state(JobState.WAITING_FOR_STORAGE);
        jobs.transition(job.id, JobState.WAITING_FOR_STORAGE, null, now());
        long deadline = now() + config.storageWaitLimit().toMillis();
        Duration probeTimeout = config.probeTimeout();
        while (true) {
            if (!job.sleep(config.probeInterval())) {
                stop(job);
                return false;
            }
            try {
                storage.ping(probeTimeout).await().atMost(probeTimeout.plusSeconds(1));
                LOG.infof("Job %s: the store answers again; continuing", job.id);
                job.state(JobState.RUNNING);
                jobs.transition(job.id, JobState.RUNNING, null, now());
                return true;
            } catch (RuntimeException e) {
                if (now() > deadline) {
                    end(job, JobState.FAILED, "the object store did not answer for " + config.storageWaitLimit()
                            + ": " + StorageFailures.message(e));
                    return false;
                }
            }
        }
    }

    /** Acts on the control that stopped the job. */
    private void stop(ActiveJob job) {
        ActiveJob.Control control = job.control();
        letGo(job, control != ActiveJob.Control.HALT);
        switch (control) {
            case PAUSE -> {
                jobs.transition(job.id, JobState.PAUSED, null, now());
                job.state(JobState.PAUSED);
                release(job, JobState.PAUSED);
            }
            case CANCEL -> end(job, JobState.CANCELLED, null);
            case LEAVE -> leave(job, jobs.state(job.id).orElse(job.state()));
            default -> release(job, job.state());
        }
    }

    /**
     * Gives up the claim held, if any: with {@code fold}, what it finished is added to the job first, so the counters
     * are exact while the job is paused, cancelled or failed. A halt folds nothing, as a crash would not.
     */
    private void letGo(ActiveJob job, boolean fold) {
        Claim claim = job.claim();
        if (claim == null) {
            return;
        }
        try {
            if (fold) {
                ledger.fold(claim, false);
            }
            claims.release(claim);
        } catch (RuntimeException e) {
            LOG.warnf("Job %s: could not hand batch %d back (%s); its lease will run out", job.id, claim.batchNo(),
                    e.getMessage());
        }
        job.drop();
    }

    private void end(ActiveJob job, JobState state, String error) {
        letGo(job, true);
        try {
            jobs.transition(job.id, state, error, now());
        } catch (RuntimeException e) {
            LOG.errorf(e, "Job %s: could not record state %s", job.id, state.wire());
        }
        job.state(state);
        LOG.infof("Job %s (%s) %s", job.id, job.action.wire(), state.wire());
        if (job.mutating) {
            metrics.refreshRemaining();
        }
        release(job, state);
    }

    /** Stops working on a job that someone else paused or ended; writes nothing about it. */
    private void leave(ActiveJob job, JobState stored) {
        letGo(job, true);
        job.state(stored);
        LOG.infof("Job %s (%s) is %s; %s stops working on it", job.id, job.action.wire(), stored.wire(), worker);
        release(job, stored);
    }

    private void release(ActiveJob job, JobState state) {
        Consumer<ActiveJob> callback = released.remove(job.id);
        if (callback != null) {
            callback.accept(job);
        }
        job.ended.complete(state);
    }

    private long leaseMillis() {
        return config.lease().toMillis();
    }

    /** Until when a claim taken now is surely ours: a lease, less one heartbeat of margin for a late renewal. */
    private long safeUntil() {
        return now() + config.lease().toMillis() - config.heartbeat().toMillis();
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
