package io.zinteract.images.migration.job;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One image and what was found about it: why it is invalid, which types disagree, why a delete failed. */
@RegisterForReflection
public record ImageNote(String imageId, String detail) {
}
