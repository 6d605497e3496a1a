package io.zinteract.images.tiering;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/**
 * What a re-tiering call did. {@code matched} counts every image that needed the move when the call began,
 * {@code selected} the ones taken in this call (at most {@code limit}); {@code remaining} is what a next call would
 * find. {@code missing} images have a key whose object is gone; {@code failures} lists the first of the failed ones.
 */
@RegisterForReflection
public record RetierReport(String storageClass, int olderThanDays, long createdBefore, boolean dryRun, long matched,
        int selected, int changed, int missing, int failed, long remaining, List<Failure> failures) {

    @RegisterForReflection
    public record Failure(String id, String r2Key, String reason) {
    }
}
