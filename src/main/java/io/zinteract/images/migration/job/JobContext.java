package io.zinteract.images.migration.job;

/**
 * What an action sees of the job it works for: its id and options, its report (for values set at start), and
 * whether it should stop starting new work.
 */
public interface JobContext {

    String jobId();

    JobOptions options();

    /** The report; actions write to it only from {@code prepare} and {@code afterRows}, on the job's own thread. */
    JobReport report();

    /** Counts one more try of this image in this job and returns how many there have been. */
    int nextAttempt(String imageId);

    /** True once pause, cancel or shutdown is asked for, or the store failed in this batch: start nothing new. */
    boolean stopping();

    /** Bytes counted so far (uploaded, verified or restored). */
    long bytes();

    /** Bound on the length of report lists. */
    int listBound();

    /**
     * The batch this replica holds for the job while it processes it, which {@code JobRepository.recordItem} fences on;
     * {@code null} outside a batch.
     */
    Claim claim();
}
