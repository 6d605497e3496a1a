package io.zinteract.images.migration.engine;

import io.zinteract.images.migration.job.Action;
import io.zinteract.images.migration.job.Claim;
import io.zinteract.images.migration.job.JobContext;
import io.zinteract.images.migration.job.JobOptions;
import io.zinteract.images.migration.job.JobReport;
import io.zinteract.images.migration.job.JobRow;
import io.zinteract.images.migration.job.JobState;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A job this process works on: the job as last read from the database (its report holds what prepare fixed), the
 * batch it holds right now and until when its lease is safe, and the control an operator or another replica asked
 * for. Counters are not kept here: they live in the database ({@link JobLedger}), so several replicas count exactly.
 */
public final class ActiveJob implements JobContext {

    public enum Control {
        NONE,
        PAUSE,
        CANCEL,
        /** The process is stopping: leave everything as a crash would, to be resumed at the next start. */
        HALT,
        /** Another replica or an operator paused or ended the job: stop working on it and write nothing about it. */
        LEAVE
    }

    public final String id;
    final Action action;
    final JobOptions options;
    public final boolean mutating;
    public final long createdAt;
    public final CompletableFuture<JobState> ended = new CompletableFuture<>();

    private final int bound;
    private final Object signal = new Object();
    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();
    private volatile JobRow stored;
    private volatile Claim claim;
    private volatile long leaseSafeUntil;
    private volatile boolean claimLost;
    private volatile JobState state;
    private volatile Control control = Control.NONE;
    private volatile boolean batchOutage;

    ActiveJob(JobRow row, int bound) {
        this.id = row.id();
        this.action = row.action();
        this.options = row.options();
        this.mutating = row.action().mutating(row.dryRun());
        this.createdAt = row.createdAt();
        this.stored = row;
        this.state = row.state();
        this.bound = bound;
    }

    @Override
    public String jobId() {
        return id;
    }

    @Override
    public JobOptions options() {
        return options;
    }

    @Override
    public JobReport report() {
        return stored.report();
    }

    @Override
    public int nextAttempt(String imageId) {
        return attempts.merge(imageId, 1, Integer::sum);
    }

    /** Tries of this image so far in this job, here. */
    int attempts(String imageId) {
        return attempts.getOrDefault(imageId, 0);
    }

    void forget(String imageId) {
        attempts.remove(imageId);
    }

    /**
     * True once pause, cancel, shutdown or leave is asked for, the store failed in this batch, or the batch is no longer
     * surely ours (taken over, or no heartbeat got through for most of a lease): start nothing new.
     */
    @Override
    public boolean stopping() {
        return control != Control.NONE || batchOutage || claimLost();
    }

    @Override
    public long bytes() {
        return stored.bytes();
    }

    @Override
    public int listBound() {
        return bound;
    }

    @Override
    public Claim claim() {
        return claim;
    }

    JobRow stored() {
        return stored;
    }

    /** The job as just read from the database; its report is the one actions read and write. */
    void stored(JobRow row) {
        stored = row;
    }

    /** This replica now holds {@code value}; its lease is safe until {@code safeUntil} (Unix ms) without a heartbeat. */
    void hold(Claim value, long safeUntil) {
        claimLost = false;
        leaseSafeUntil = safeUntil;
        claim = value;
    }

    /** A heartbeat renewed {@code renewed}; ignored if the job moved on to another claim meanwhile. */
    void renewed(Claim renewed, long safeUntil) {
        if (claim == renewed) {
            leaseSafeUntil = safeUntil;
        }
    }

    /** Another replica took {@code lost} over. */
    void lost(Claim lost) {
        if (claim == lost) {
            claimLost = true;
        }
    }

    /** True when the held claim was taken over, or its lease may run out before the next heartbeat. */
    boolean claimLost() {
        return claim != null && (claimLost || System.currentTimeMillis() > leaseSafeUntil);
    }

    void drop() {
        claim = null;
        claimLost = false;
    }

    JobState state() {
        return state;
    }

    void state(JobState value) {
        state = value;
    }

    Control control() {
        return control;
    }

    /**
     * Asks the job to stop. A halt overrides everything (the process is going); leaving never overrides what this
     * process itself asked for, which is already stopping it.
     */
    public void request(Control value) {
        if (control == Control.HALT || (value == Control.LEAVE && control != Control.NONE)) {
            return;
        }
        control = value;
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    void batchOutage(boolean value) {
        batchOutage = value;
    }

    boolean batchOutage() {
        return batchOutage;
    }

    /** Sleeps for {@code time} unless a control request arrives first; returns false if one did. */
    boolean sleep(Duration time) {
        long deadline = System.nanoTime() + time.toNanos();
        synchronized (signal) {
            while (control == Control.NONE) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                try {
                    signal.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }
}
