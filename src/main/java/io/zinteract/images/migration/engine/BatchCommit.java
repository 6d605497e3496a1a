package io.zinteract.images.migration.engine;

import io.smallrye.mutiny.Uni;
import io.zinteract.images.admission.MemoryPermit;
import io.zinteract.images.db.Jdbc;
import io.zinteract.images.migration.job.Claim;
import io.zinteract.images.migration.job.ItemResult;
import io.zinteract.images.migration.job.JobAction;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The staged row changes of one batch run, committed in one transaction: the claim's fence once (so a batch taken over
 * by another replica records nothing here, and a takeover waits for a commit under way), then each change with its
 * result. Nothing of them is recorded before that commit: a crash leaves the rows as they were, and
 * the next try finds their objects at the same keys and reuses them. Staged rows keep their memory permits (they hold
 * their base64 for the guarded update) until the commit; once they hold {@code stagedLimit} bytes they are committed
 * early, so a large batch of large images stays within the memory budget.
 */
final class BatchCommit {

    private static final Logger LOG = Logger.getLogger(BatchCommit.class);

    private final ActiveJob job;
    private final JobRepository jobs;
    private final Jdbc jdbc;
    private final MigrationMetrics metrics;
    private final Set<String> done;
    private final long stagedLimit;
    private final Object flushing = new Object();
    private final List<Entry> pending = new ArrayList<>();
    /** Every permit reserved in this batch: whatever path an image took, each is released by {@link #close}. */
    private final List<MemoryPermit> permits = new ArrayList<>();
    private long staged;
    private boolean closed;

    private record Entry(JobAction.Processed processed, MemoryPermit permit) {
        void release() {
            if (permit != null) {
                permit.release();
            }
        }
    }

    BatchCommit(ActiveJob job, JobRepository jobs, Jdbc jdbc, MigrationMetrics metrics, Set<String> done,
            long stagedLimit) {
        this.job = job;
        this.jobs = jobs;
        this.jdbc = jdbc;
        this.metrics = metrics;
        this.done = done;
        this.stagedLimit = Math.max(1, stagedLimit);
    }

    boolean done(String imageId) {
        return done.contains(imageId);
    }

    synchronized void track(MemoryPermit permit) {
        if (closed) {
            permit.release();
        } else {
            permits.add(permit);
        }
    }

    /** A result that is recorded (by the action itself, or by this commit): counted once, never done again. */
    void markDone(ItemResult result) {
        done.add(result.imageId());
        job.forget(result.imageId());
        metrics.record(job.action, job.options.dry(), result);
    }

    /**
     * Adds a result to record with the batch; {@code permit} is the memory a staged row holds until then. True when the
     * staged rows now hold enough memory to be committed early ({@link #flush}). After {@link #close} nothing is added:
     * that row is not done and is tried again.
     */
    synchronized boolean add(JobAction.Processed processed, MemoryPermit permit) {
        Entry entry = new Entry(processed, permit);
        if (closed) {
            entry.release();
            return false;
        }
        pending.add(entry);
        staged += permit == null ? 0 : permit.bytes();
        return staged >= stagedLimit;
    }

    /** Commits what was added so far in one fenced transaction, then hands each row on. Blocking. */
    void flush() {
        synchronized (flushing) {
            List<Entry> entries;
            synchronized (this) {
                entries = new ArrayList<>(pending);
                pending.clear();
                staged = 0;
            }
            if (entries.isEmpty()) {
                return;
            }
            List<ItemResult> results;
            try {
                results = jdbc.inTransaction(tx -> {
                    Claim claim = job.claim();
                    if (claim != null) {
                        ClaimRepository.fence(tx, claim, jdbc.postgresql());
                    }
                    long now = System.currentTimeMillis();
                    List<ItemResult> recorded = new ArrayList<>(entries.size());
                    for (Entry entry : entries) {
                        JobAction.Staged change = entry.processed().staged();
                        ItemResult result = change == null ? entry.processed().result() : change.apply(tx, now);
                        jobs.insertItem(tx, job, claim, result, now);
                        recorded.add(result);
                    }
                    return recorded;
                });
            } catch (ClaimLostException e) {
                entries.forEach(Entry::release);
                lost(entries.size());
                return;
            } catch (RuntimeException e) {
                entries.forEach(Entry::release);
                throw e;
            }
            List<Uni<Void>> after = new ArrayList<>();
            for (int i = 0; i < entries.size(); i++) {
                ItemResult result = results.get(i);
                markDone(result);
                JobAction.Staged change = entries.get(i).processed().staged();
                if (change != null) {
                    after.add(change.committed(result).onFailure().recoverWithNull());
                }
                entries.get(i).release();
            }
            if (!after.isEmpty()) {
                Uni.join().all(after).andCollectFailures().await().indefinitely();
            }
        }
    }

    /** Commits what is left unless {@code flush} is false, then releases every permit of the batch. */
    void close(boolean flush) {
        try {
            if (flush) {
                flush();
            }
        } finally {
            synchronized (this) {
                closed = true;
                pending.forEach(Entry::release);
                pending.clear();
                permits.forEach(MemoryPermit::release);
                permits.clear();
            }
        }
    }

    private void lost(int count) {
        Claim claim = job.claim();
        if (claim != null) {
            job.lost(claim);
        }
        LOG.warnf("Job %s: %d results not recorded here: the batch was taken over by another replica", job.id, count);
    }
}
