package io.zinteract.images.migration.engine;

import io.zinteract.images.migration.job.Action;
import io.zinteract.images.migration.job.Claim;
import io.zinteract.images.migration.job.JobAction;
import io.zinteract.images.migration.job.JobEnded;
import io.zinteract.images.migration.job.JobReport;
import io.zinteract.images.migration.job.JobRow;
import io.zinteract.images.migration.job.JobState;
import io.zinteract.images.migration.job.StorageFailures;
import io.zinteract.images.migration.job.WorkRow;
import io.zinteract.images.storage.R2Storage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Instance;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The loop every replica runs for a job it works on: claim the next batch ({@link Claims}), process it
 * ({@link BatchExecutor}) and fold its results into the job ({@link JobLedger}); when no rows are left and no batch is
 * open, the one replica that claims the work after the rows does it and ends the job. When the store stops answering
 * the job waits and probes instead of failing images; pause, cancel and shutdown take effect between images.
 */
@ApplicationScoped
class JobWorker {

    private static final Logger LOG = Logger.getLogger(JobWorker.class);
    private static final Duration PREPARE_POLL = Duration.ofMillis(250);

    private final JobRepository jobs;
    private final Claims claims;
    private final JobLedger ledger;
    private final BatchExecutor batches;
    private final Map<Action, JobAction> actions = new EnumMap<>(Action.class);
    private final R2Storage storage;
    private final MigrationConfig config;
    private final String worker;
    private final Event<JobEnded> ended;
    private final Map<String, Consumer<ActiveJob>> released = new ConcurrentHashMap<>();

    JobWorker(JobRepository jobs, Claims claims, JobLedger ledger, BatchExecutor batches, Instance<JobAction> allActions,
            R2Storage storage, MigrationConfig config, WorkerId worker, Event<JobEnded> ended) {
        this.jobs = jobs;
        this.claims = claims;
        this.ledger = ledger;
        this.batches = batches;
        allActions.forEach(a -> actions.put(a.action(), a));
        this.storage = storage;
        this.config = config;
        this.worker = worker.value();
        this.ended = ended;
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
                Optional<Claim> batch = claims.nextBatch(job, action);
                if (batch.isPresent()) {
                    if (!work(job, action, batch.get())) {
                        return;
                    }
                    continue;
                }
                Optional<Claim> step = claims.afterRows(job);
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
            Optional<Claim> step = claims.prepare(job);
            if (step.isPresent()) {
                long total = action.prepare(job);
                job.report().phase = JobReport.Phase.ROWS;
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

    /** Processes a claimed batch until every row is done; false when the job stopped. */
    private boolean work(ActiveJob job, JobAction action, Claim claim) {
        Set<String> done = ConcurrentHashMap.newKeySet();
        done.addAll(ledger.doneIds(claim));
        int timeouts = 0;
        while (true) {
            List<WorkRow> rows = BatchExecutor.rows(job, action, claim);
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
                    claims.abandon(job, claim);
                }
                return true;
            }
            if (job.claimLost()) {
                claims.abandon(job, claim);
                return true;
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

    /** The work after the rows, by the one replica that claimed it; true when the job completed. */
    private boolean afterRows(ActiveJob job, JobAction action, Claim step) {
        JobRow row = jobs.find(job.id).orElseThrow();
        if (!row.state().active() || row.state() == JobState.PAUSED) {
            // Ended or paused between our last look and the claim: nothing left to do here.
            leave(job, row.state());
            return false;
        }
        // Results outside every batch's bounds: only a job started by an earlier version can have them.
        ledger.fold(step, false);
        job.stored(jobs.find(job.id).orElseThrow());
        job.report().phase = JobReport.Phase.AFTER_ROWS;
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
        claims.letGo(job, control != ActiveJob.Control.HALT);
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

    private void end(ActiveJob job, JobState state, String error) {
        claims.letGo(job, true);
        try {
            jobs.transition(job.id, state, error, now());
        } catch (RuntimeException e) {
            LOG.errorf(e, "Job %s: could not record state %s", job.id, state.wire());
        }
        job.state(state);
        LOG.infof("Job %s (%s) %s", job.id, job.action.wire(), state.wire());
        ended.fire(new JobEnded(job.id, job.action, state, job.mutating));
        release(job, state);
    }

    /** Stops working on a job that someone else paused or ended; writes nothing about it. */
    private void leave(ActiveJob job, JobState stored) {
        claims.letGo(job, true);
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

    private static long now() {
        return System.currentTimeMillis();
    }
}
