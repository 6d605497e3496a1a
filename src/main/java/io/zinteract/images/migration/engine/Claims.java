package io.zinteract.images.migration.engine;

import io.zinteract.images.migration.job.Claim;
import io.zinteract.images.migration.job.JobAction;
import io.zinteract.images.migration.job.WorkRow;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Optional;

/**
 * How a replica gets, keeps and gives back a share of a job's work, so that several replicas work on one job and none
 * does an image twice. Every share is a leased claim ({@link ClaimRepository} holds the SQL):
 * <ol>
 * <li>{@link #prepare}: one replica counts the work and fixes the report's start values;</li>
 * <li>{@link #nextBatch}: take over a batch whose lease ran out (its replica died or gave it back), else cut the next
 * batch after the shared frontier (compare-and-set), else seal the walk: no rows are left;</li>
 * <li>{@link #afterRows}: once the walk is sealed and no batch is open, one replica claims the work after the rows
 * and ends the job;</li>
 * <li>{@link #renew}: every heartbeat pushes the held claim's lease forward, or finds it taken over;</li>
 * <li>{@link #letGo} and {@link #abandon}: a claim is given back (pause, shutdown, failure) or left to whoever took
 * it; a finished batch's claim is deleted by the fold in {@link JobLedger}, fenced on the claim.</li>
 * </ol>
 * The claim taken is held in the {@link ActiveJob} with the time until which it is surely ours: a lease less one
 * heartbeat of margin for a late renewal.
 */
@ApplicationScoped
class Claims {

    private static final Logger LOG = Logger.getLogger(Claims.class);
    /** Compare-and-set rounds lost to other replicas before giving up: far more than replicas exist. */
    private static final int CUT_TRIES = 1000;

    private final ClaimRepository repository;
    private final JobLedger ledger;
    private final MigrationConfig config;
    private final MigrationMetrics metrics;
    private final String worker;

    Claims(ClaimRepository repository, JobLedger ledger, MigrationConfig config, MigrationMetrics metrics,
            WorkerId worker) {
        this.repository = repository;
        this.ledger = ledger;
        this.config = config;
        this.metrics = metrics;
        this.worker = worker.value();
    }

    /** The prepare step, now held by the job; empty while another replica holds it. */
    Optional<Claim> prepare(ActiveJob job) {
        return hold(job, repository.claimStep(job.id, Claim.PREPARE, worker, now(), leaseMillis()));
    }

    /** A batch whose lease ran out, else a new one after the frontier, now held by the job; empty once the walk is over. */
    Optional<Claim> nextBatch(ActiveJob job, JobAction action) {
        Optional<Claim> taken = repository.takeExpired(job.id, worker, now(), leaseMillis());
        if (taken.isPresent()) {
            Claim claim = taken.get();
            if (claim.takenFrom() != null) {
                LOG.infof("Job %s: took over batch %d (ids after %s through %s) from %s, whose lease had expired", job.id,
                        claim.batchNo(), claim.afterId(), claim.throughId(), claim.takenFrom());
                metrics.takenOver();
            }
            return hold(job, taken);
        }
        for (int tries = 0; tries < CUT_TRIES; tries++) {
            ClaimRepository.Frontier seen = repository.frontier(job.id);
            if (seen.rowsDone()) {
                return Optional.empty();
            }
            int size = job.options.batchSize();
            if (job.options.limit() != null) {
                size = (int) Math.min(size, Math.max(0, job.options.limit() - seen.carved()));
            }
            List<WorkRow> page = size == 0 ? List.of() : action.page(job, seen.frontier(), null, size);
            if (page.isEmpty()) {
                repository.seal(job.id, seen);
                continue;
            }
            Optional<Claim> cut = repository.carve(job.id, worker, seen, page.size(), page.get(page.size() - 1).id(),
                    now(), leaseMillis());
            if (cut.isPresent()) {
                return hold(job, cut);
            }
        }
        throw new IllegalStateException("no batch could be claimed in " + CUT_TRIES + " tries");
    }

    /** The work after the rows, now held by the job: only once no batch is open, and by one replica. */
    Optional<Claim> afterRows(ActiveJob job) {
        if (repository.openBatches(job.id) != 0) {
            return Optional.empty();
        }
        return hold(job, repository.claimStep(job.id, Claim.AFTER_ROWS, worker, now(), leaseMillis()));
    }

    /** The heartbeat of the job's claim: its lease pushed forward, or the job told that another replica took it. */
    void renew(ActiveJob job) {
        Claim claim = job.claim();
        if (claim == null) {
            return;
        }
        long now = now();
        if (repository.renew(claim, now, leaseMillis())) {
            job.renewed(claim, safeUntil(now));
        } else if (job.claim() == claim) {
            // Still held here, yet no longer ours. (A claim folded and deleted meanwhile is not a loss.)
            LOG.warnf("Job %s: batch %d was taken over by another replica", job.id, claim.batchNo());
            job.lost(claim);
        }
    }

    /**
     * Gives back the claim held, if any: with {@code fold}, what it finished is added to the job first, so the counters
     * are exact while the job is paused, cancelled or failed. A halt folds nothing, as a crash would not.
     */
    void letGo(ActiveJob job, boolean fold) {
        Claim claim = job.claim();
        if (claim == null) {
            return;
        }
        try {
            if (fold) {
                ledger.fold(claim, false);
            }
            repository.release(claim);
        } catch (RuntimeException e) {
            LOG.warnf("Job %s: could not hand batch %d back (%s); its lease will run out", job.id, claim.batchNo(),
                    e.getMessage());
        }
        job.drop();
    }

    /** The claim is not surely ours any more: leave the batch to whoever holds it now. */
    void abandon(ActiveJob job, Claim claim) {
        LOG.warnf("Job %s: batch %d is no longer this replica's (lease lost); leaving it to its new holder", job.id,
                claim.batchNo());
        job.drop();
        try {
            repository.release(claim);
        } catch (RuntimeException e) {
            LOG.debugf("Job %s: could not release batch %d: %s", job.id, claim.batchNo(), e.getMessage());
        }
    }

    private Optional<Claim> hold(ActiveJob job, Optional<Claim> claim) {
        claim.ifPresent(c -> job.hold(c, safeUntil(now())));
        return claim;
    }

    private long leaseMillis() {
        return config.lease().toMillis();
    }

    private long safeUntil(long now) {
        return now + config.lease().toMillis() - config.heartbeat().toMillis();
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
