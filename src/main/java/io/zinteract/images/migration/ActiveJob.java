package io.zinteract.images.migration;

import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A job this process is running: its live counters and report, the images done since its last checkpoint, and
 * the control an operator asked for. Counters and report change only under this object's lock.
 */
final class ActiveJob implements JobContext {

    enum Control {
        NONE,
        PAUSE,
        CANCEL,
        /** The process is stopping: leave everything as a crash would, to be resumed at the next start. */
        HALT
    }

    final String id;
    final Action action;
    final JobOptions options;
    final boolean mutating;
    final long createdAt;
    final Long startedAt;
    final CompletableFuture<JobState> ended = new CompletableFuture<>();

    private final int bound;
    private final Object signal = new Object();
    private final Set<String> doneSinceCheckpoint = new HashSet<>();
    private final Map<String, Integer> attempts = new ConcurrentHashMap<>();
    private JobReport report;
    private String cursor;
    private long total;
    private long processed;
    private long succeeded;
    private long skipped;
    private long failed;
    private long bytes;
    private volatile JobState state;
    private volatile String error;
    private volatile Control control = Control.NONE;
    private volatile boolean batchOutage;

    ActiveJob(JobRow row, int bound) {
        this.id = row.id();
        this.action = row.action();
        this.options = row.options();
        this.mutating = row.action().mutating(row.dryRun());
        this.createdAt = row.createdAt();
        this.startedAt = row.startedAt();
        this.report = row.report() == null ? new JobReport() : row.report();
        this.cursor = row.cursor();
        this.total = row.total();
        this.processed = row.processed();
        this.succeeded = row.succeeded();
        this.skipped = row.skipped();
        this.failed = row.failed();
        this.bytes = row.bytes();
        this.state = row.state();
        this.error = row.error();
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
    public synchronized JobReport report() {
        return report;
    }

    @Override
    public int nextAttempt(String imageId) {
        return attempts.merge(imageId, 1, Integer::sum);
    }

    /** Tries of this image so far in this job. */
    int attempts(String imageId) {
        return attempts.getOrDefault(imageId, 0);
    }

    @Override
    public boolean stopping() {
        return control != Control.NONE || batchOutage;
    }

    @Override
    public synchronized long bytes() {
        return bytes;
    }

    @Override
    public int listBound() {
        return bound;
    }

    /** Counts one image's result once: a second result for the same image since the checkpoint is ignored. */
    synchronized void apply(ItemResult r) {
        if (r.deferred() || !doneSinceCheckpoint.add(r.imageId())) {
            return;
        }
        processed++;
        switch (r.outcome()) {
            case SUCCEEDED -> {
                succeeded++;
                bytes += r.bytes();
            }
            case SKIPPED -> skipped++;
            case FAILED -> failed++;
            default -> {
            }
        }
        attempts.remove(r.imageId());
        report.apply(action, options.dry(), r, bound);
    }

    synchronized boolean done(String imageId) {
        return doneSinceCheckpoint.contains(imageId);
    }

    synchronized void total(long value) {
        total = value;
    }

    synchronized long processed() {
        return processed;
    }

    synchronized String cursor() {
        return cursor;
    }

    /** Moves the cursor and returns the images whose items the checkpoint now includes. */
    synchronized Set<String> advance(String newCursor) {
        cursor = newCursor;
        Set<String> folded = new LinkedHashSet<>(doneSinceCheckpoint);
        doneSinceCheckpoint.clear();
        return folded;
    }

    /**
     * The job as it stands, with a copy of the report: images keep finishing while the copy is written out as JSON
     * (a response, or the checkpoint).
     */
    synchronized JobRow snapshot(long now, JobRepository jobs) {
        JobReport copy = jobs.read(jobs.write(report), JobReport.class);
        return new JobRow(id, action, state, options, mutating, cursor, total, processed, succeeded, skipped, failed,
                bytes, copy, error, createdAt, startedAt, null, now);
    }

    JobState state() {
        return state;
    }

    void state(JobState value, String message) {
        state = value;
        error = message;
    }

    Control control() {
        return control;
    }

    void request(Control value) {
        if (control == Control.HALT) {
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
