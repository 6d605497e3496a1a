package io.zinteract.images.migration.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/**
 * What a job did with one image. Written to {@code migration_job_items} in the same transaction as the image row, so
 * that a job resumed after a crash knows it without doing it again.
 *
 * @param bytes      image bytes uploaded, verified or restored
 * @param base64Bytes characters of base64 cleared from, or (dry run) clearable in, the database
 * @param kind       what the action found, when it is more than the outcome: {@code missing}, {@code corrupted},
 *                   {@code unsampled}, {@code changed}, {@code retained}, {@code from-retained}
 * @param key        the object key written, checked or (dry run) that would be written
 * @param note       something worth telling that is not a failure, e.g. a declared type the bytes contradict
 * @param suspicious why a migrated legacy image fails the structure checks new uploads pass ({@code CODE: detail});
 *                   it is migrated all the same, and listed in the report
 * @param variants   what the action did with the image's variants (issue 12), when it looked at them
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ItemResult(String imageId, Outcome outcome, long bytes, long base64Bytes, int attempts, String error,
        String kind, String key, String note, String suspicious, Variants variants) {

    /** {@link #kind()} of a row whose key holds, or another row claims, another image (never overwritten). */
    public static final String CONFLICT = "conflict";

    public ItemResult(String imageId, Outcome outcome, long bytes, long base64Bytes, int attempts, String error,
            String kind, String key, String note) {
        this(imageId, outcome, bytes, base64Bytes, attempts, error, kind, key, note, null, null);
    }

    public ItemResult withSuspicious(String reason) {
        return new ItemResult(imageId, outcome, bytes, base64Bytes, attempts, error, kind, key, note, reason, variants);
    }

    public ItemResult withNote(String value) {
        return new ItemResult(imageId, outcome, bytes, base64Bytes, attempts, error, kind, key, value, suspicious, variants);
    }

    public ItemResult withVariants(Variants value) {
        return new ItemResult(imageId, outcome, bytes, base64Bytes, attempts, error, kind, key, note, suspicious, value);
    }

    /**
     * An image's variants as an action found or left them. Stored with the result, so a resumed job folds the same counts.
     *
     * @param count    variants made ({@code variants}), deleted ({@code rollback}) or checked ({@code validate})
     * @param missing  the variants the image lacked, as {@code preset.format} ({@code variants}; made unless a dry run)
     * @param problems variant objects missing or not of their row's size ({@code validate})
     * @param error    why they could not be deleted ({@code rollback}); the orphan cleanup removes what is left
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Variants(int count, List<String> missing, List<Problem> problems, String error) {
    }

    /** A variant whose object is {@code missing} or {@code mismatched} (another size than its row's). */
    @RegisterForReflection
    public record Problem(String key, String kind, String detail) {
        public static final String MISSING = "missing";
        public static final String MISMATCHED = "mismatched";
    }

    public enum Outcome {
        SUCCEEDED,
        SKIPPED,
        FAILED,
        /** Not done now (store outage, pause, cancel): tried again later, never counted. */
        DEFERRED
    }

    public static ItemResult succeeded(String imageId, long bytes, long base64Bytes, int attempts, String kind, String key,
            String note) {
        return new ItemResult(imageId, Outcome.SUCCEEDED, bytes, base64Bytes, attempts, null, kind, key, note);
    }

    public static ItemResult skipped(String imageId, String kind, String note) {
        return new ItemResult(imageId, Outcome.SKIPPED, 0, 0, 0, null, kind, null, note);
    }

    public static ItemResult failed(String imageId, int attempts, String error) {
        return failed(imageId, attempts, error, null, null);
    }

    public static ItemResult failed(String imageId, int attempts, String error, String kind, String key) {
        return new ItemResult(imageId, Outcome.FAILED, 0, 0, attempts, error, kind, key, null);
    }

    public static ItemResult deferred(String imageId) {
        return new ItemResult(imageId, Outcome.DEFERRED, 0, 0, 0, null, null, null, null);
    }

    public boolean deferred() {
        return outcome == Outcome.DEFERRED;
    }
}
