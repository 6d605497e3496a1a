package io.zinteract.images.migration.job;

/**
 * A CDI event: a job ended on this replica (completed, failed or cancelled here). Observers outside the engine react
 * to it without the engine knowing them, e.g. the gauge of base64 left, after a job that changed images.
 */
public record JobEnded(String jobId, Action action, JobState state, boolean mutating) {
}
