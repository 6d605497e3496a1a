package io.zinteract.images.tiering;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The body of {@code POST /api/admin/storage-class}: move the R2 objects of images created at least
 * {@code olderThanDays} days ago to {@code storageClass}, at most {@code limit} of them in this call; with
 * {@code dryRun} only count them.
 */
@RegisterForReflection
public record RetierRequest(Integer olderThanDays, String storageClass, Boolean dryRun, Integer limit) {
}
