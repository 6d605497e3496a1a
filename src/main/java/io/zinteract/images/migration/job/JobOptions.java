package io.zinteract.images.migration.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/**
 * The options a job runs with, as validated from the request and completed with the configured defaults. Stored with
 * the job, so a job resumed after a restart runs exactly as it was asked to.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobOptions(Boolean dryRun, Integer batchSize, Integer concurrency, Integer limit, List<String> imageIds,
        Boolean retainBase64, Boolean checkIntegrity, Integer sampleSize, Boolean orphans, Boolean deleteFromR2,
        Integer olderThanDays, String verify) {

    /** Upper bounds of {@code batchSize} and {@code concurrency}, for requests and for the configured defaults alike. */
    public static final int MAX_BATCH_SIZE = 1000;
    public static final int MAX_CONCURRENCY = 64;

    /** {@code verify} of a migrate job: a HEAD after every PUT (the default), or the PUT's own ETag. */
    public static final String VERIFY_HEAD = "head";
    public static final String VERIFY_ETAG = "etag";

    /**
     * Whether an upload counts as verified by the ETag the store answered the PUT with, when that ETag is the MD5 of
     * what it stored, without a HEAD: one round trip per image instead of two.
     */
    @JsonIgnore
    public boolean verifyByPutEtag() {
        return VERIFY_ETAG.equals(verify);
    }

    @JsonIgnore
    public boolean dry() {
        return Boolean.TRUE.equals(dryRun);
    }

    @JsonIgnore
    public boolean retain() {
        return Boolean.TRUE.equals(retainBase64);
    }

    @JsonIgnore
    public boolean integrity() {
        return Boolean.TRUE.equals(checkIntegrity);
    }

    @JsonIgnore
    public boolean scanOrphans() {
        return Boolean.TRUE.equals(orphans);
    }

    @JsonIgnore
    public boolean deleteObjects() {
        return Boolean.TRUE.equals(deleteFromR2);
    }

    @JsonIgnore
    public boolean hasImageIds() {
        return imageIds != null && !imageIds.isEmpty();
    }
}
