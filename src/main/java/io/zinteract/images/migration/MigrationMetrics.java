package io.zinteract.images.migration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The migration's meters on {@code /q/metrics}: images by action and outcome, bytes uploaded, upload-and-verify
 * latency and the base64 the database still holds. Dry runs count nothing: they did nothing.
 */
@ApplicationScoped
public class MigrationMetrics {

    private static final Logger LOG = Logger.getLogger(MigrationMetrics.class);

    private final MeterRegistry registry;
    private final MigrationRepository images;
    private final Counter bytesUploaded;
    private final Timer upload;
    private final Counter takenOver;
    private final AtomicLong base64Remaining = new AtomicLong();

    public MigrationMetrics(MeterRegistry registry, MigrationRepository images) {
        this.registry = registry;
        this.images = images;
        this.bytesUploaded = Counter.builder("migration.uploaded").baseUnit("bytes")
                .description("Image bytes uploaded to R2 and verified by migrate jobs").register(registry);
        this.upload = Timer.builder("migration.upload.duration")
                .description("Time to upload one image and verify it with a HEAD, retries included")
                .publishPercentiles(0.5, 0.95, 0.99).register(registry);
        this.takenOver = Counter.builder("migration.claims.taken.over")
                .description("Batches this replica took over from a replica whose lease had expired").register(registry);
        Gauge.builder("migration.base64.bytes.remaining", base64Remaining, AtomicLong::get).baseUnit("bytes")
                .description("Characters of base64 image data still stored in the database").register(registry);
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

    Timer uploadTimer() {
        return upload;
    }

    /** Recomputes the remaining base64 (a table scan): at start, after each job and on each statistics request. */
    void refreshRemaining() {
        try {
            base64Remaining.set(images.base64Bytes());
        } catch (RuntimeException e) {
            LOG.warnf("Could not measure the base64 still in the database: %s", e.getMessage());
        }
    }

    void remaining(long value) {
        base64Remaining.set(value);
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
