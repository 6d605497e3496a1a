package io.zinteract.images.migration.api;

import io.zinteract.images.migration.job.Action;
import io.zinteract.images.migration.job.JobOptions;

/** A validated {@code POST /api/migrate-images} body: the action, its options, whether to wait, and the job it targets. */
record MigrationRequest(Action action, JobOptions options, boolean await, String jobId) {
}
