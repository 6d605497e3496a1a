package io.zinteract.images.migration.engine;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.zinteract.images.migration.job.Action;
import io.zinteract.images.migration.job.ItemResult;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The migration's meters on {@code /q/metrics}: images by action and outcome, bytes uploaded, upload-and-verify
 * latency and batches taken over (the base64 left is {@code RemainingBase64}). Dry runs count nothing: they did nothing.
 */
@ApplicationScoped
public class MigrationMetrics {

    private final MeterRegistry registry;
    private final Counter bytesUploaded;
    private final Timer upload;
    private final Counter takenOver;

    public MigrationMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.bytesUploaded = Counter.builder("migration.uploaded").baseUnit("bytes")
                .description("Image bytes uploaded to R2 and verified by migrate jobs").register(registry);
        this.upload = Timer.builder("migration.upload.duration")
                .description("Time to upload one image and verify it with a HEAD, retries included")
                .publishPercentiles(0.5, 0.95, 0.99).register(registry);
        this.takenOver = Counter.builder("migration.claims.taken.over")
                .description("Batches this replica took over from a replica whose lease had expired").register(registry);
    }

    void record(Action action, boolean dryRun, ItemResult result) {
        if (dryRun || result.deferred()) {
            return;
        }
        registry.counter("migration.images", "action", action.wire(), "outcome", outcome(action, result)).increment();
        if (action == Action.MIGRATE && result.outcome() == ItemResult.Outcome.SUCCEEDED) {
            bytesUploaded.increment(result.bytes());
        }
    }

    void takenOver() {
        takenOver.increment();
    }

    public Timer uploadTimer() {
        return upload;
    }

    private static String outcome(Action action, ItemResult result) {
        return switch (result.outcome()) {
            case SUCCEEDED -> switch (action) {
                case MIGRATE -> "migrated";
                case ROLLBACK -> "rolled-back";
                case PURGE -> "purged";
                case VALIDATE -> "checked";
                default -> "done";
            };
            case SKIPPED -> "skipped";
            case FAILED -> "failed";
            case DEFERRED -> "deferred";
        };
    }
}
