package io.zinteract.images.migration.action;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.zinteract.images.migration.job.JobEnded;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The gauge {@code migration.base64.bytes.remaining}: the base64 the database still holds. Measured (a table scan)
 * at start, after each job that changed images and on each statistics request.
 */
@ApplicationScoped
public class RemainingBase64 {

    private static final Logger LOG = Logger.getLogger(RemainingBase64.class);

    private final MigrationRepository images;
    private final AtomicLong remaining = new AtomicLong();

    public RemainingBase64(MigrationRepository images, MeterRegistry registry) {
        this.images = images;
        Gauge.builder("migration.base64.bytes.remaining", remaining, AtomicLong::get).baseUnit("bytes")
                .description("Characters of base64 image data still stored in the database").register(registry);
    }

    /** After {@code DatabaseBootstrap} (priority 1) brought the schema up; a table scan, measured off the start path. */
    void onStart(@Observes @Priority(10) StartupEvent event) {
        Infrastructure.getDefaultWorkerPool().execute(this::refresh);
    }

    void onJobEnded(@Observes JobEnded ended) {
        if (ended.mutating()) {
            refresh();
        }
    }

    /** Recomputes the value; a failure keeps the last one. */
    void refresh() {
        try {
            remaining.set(images.base64Bytes());
        } catch (RuntimeException e) {
            LOG.warnf("Could not measure the base64 still in the database: %s", e.getMessage());
        }
    }

    /** The value as the statistics just counted it. */
    public void set(long value) {
        remaining.set(value);
    }
}
