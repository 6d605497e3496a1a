package io.zinteract.images.migration;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.zinteract.images.config.MigrationConfig;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Continues, at start, the jobs a stopped process left running, once {@code DatabaseBootstrap} (priority 1) has
 * brought the schema up to date; at shutdown, stops jobs where they stand so the next start continues them.
 */
@ApplicationScoped
public class MigrationLifecycle {

    private static final Logger LOG = Logger.getLogger(MigrationLifecycle.class);

    private final JobRunner runner;
    private final MigrationMetrics metrics;
    private final MigrationConfig config;

    public MigrationLifecycle(JobRunner runner, MigrationMetrics metrics, MigrationConfig config) {
        this.runner = runner;
        this.metrics = metrics;
        this.config = config;
    }

    void onStart(@Observes @Priority(10) StartupEvent event) {
        if (config.resumeOnStart()) {
            var resumed = runner.resumeInterrupted();
            if (!resumed.isEmpty()) {
                LOG.infof("Resumed %d interrupted migration job(s): %s", resumed.size(), resumed);
            }
        }
        // A table scan: measured off the start path.
        Infrastructure.getDefaultWorkerPool().execute(metrics::refreshRemaining);
    }

    void onStop(@Observes ShutdownEvent event) {
        runner.halt();
    }
}
