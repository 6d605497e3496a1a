package io.zinteract.images.migration.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.zinteract.images.migration.view.Job;

import java.util.Map;

/** {@code GET /api/migrate-images}: whether R2 answers, where the images are, and the current and last job. */
@RegisterForReflection
public record MigrationStatus(R2 r2, boolean enableR2Storage, Map<String, Long> counts, long base64Bytes, long r2Bytes,
        double progressPercent, boolean migrationReady, int batchSize, Job currentJob, Job lastJob) {

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record R2(boolean configured, String status, String bucket, String endpoint, String error) {
    }
}
