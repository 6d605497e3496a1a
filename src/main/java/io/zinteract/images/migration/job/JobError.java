package io.zinteract.images.migration.job;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** An image a job could not process, as listed in the job's {@code errors}. */
@RegisterForReflection
public record JobError(String imageId, String error, int attempts) {
}
