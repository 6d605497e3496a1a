package io.zinteract.images.migration.engine;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.zinteract.images.config.StartupValidator;
import io.zinteract.images.migration.job.JobOptions;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Continues, at start, the jobs a stopped process left running, once {@code DatabaseBootstrap} (priority 1) has
 * brought the schema up to date; at shutdown, stops jobs where they stand so the next start continues them.
 */
@ApplicationScoped
class MigrationLifecycle {

    private static final Logger LOG = Logger.getLogger(MigrationLifecycle.class);

    private final JobRunner runner;
    private final ReplicaCoordinator coordinator;
    private final MigrationConfig config;

    MigrationLifecycle(JobRunner runner, ReplicaCoordinator coordinator, MigrationConfig config) {
        this.runner = runner;
        this.coordinator = coordinator;
        this.config = config;
    }

    void onStart(@Observes @Priority(10) StartupEvent event) {
        String problem = configProblem(config);
        if (problem != null) {
            LOG.error("Invalid configuration: " + problem);
            throw new StartupValidator.InvalidConfigurationException(problem);
        }
        if (config.resumeOnStart()) {
            var resumed = runner.resumeInterrupted();
            if (!resumed.isEmpty()) {
                LOG.infof("Resumed %d interrupted migration job(s): %s", resumed.size(), resumed);
            }
        }
        // Heartbeats for the claims of jobs this replica works on; joining others' jobs only after resuming is on.
        coordinator.start();
    }

    /** The first migration setting that cannot work, naming its variable; null when all can. Package-private for tests. */
    static String configProblem(MigrationConfig c) {
        if (c.batchSize() < 1 || c.batchSize() > JobOptions.MAX_BATCH_SIZE) {
            return "MIGRATION_BATCH_SIZE must be between 1 and " + JobOptions.MAX_BATCH_SIZE;
        }
        if (c.concurrency() < 1 || c.concurrency() > JobOptions.MAX_CONCURRENCY) {
            return "MIGRATION_CONCURRENCY must be between 1 and " + JobOptions.MAX_CONCURRENCY;
        }
        if (c.maxAttempts() < 1) {
            return "MIGRATION_MAX_ATTEMPTS must be at least 1";
        }
        if (c.listedItems() < 0 || c.listedItems() > 10_000) {
            return "MIGRATION_LISTED_ITEMS must be between 0 and 10000";
        }
        for (var d : java.util.Map.of("MIGRATION_BATCH_TIMEOUT", c.batchTimeout(), "MIGRATION_PROBE_INTERVAL",
                c.probeInterval(), "MIGRATION_PROBE_TIMEOUT", c.probeTimeout(), "MIGRATION_STORAGE_WAIT_LIMIT",
                c.storageWaitLimit(), "MIGRATION_EVENTS_INTERVAL", c.eventsInterval(), "MIGRATION_LEASE", c.lease(),
                "MIGRATION_HEARTBEAT", c.heartbeat(), "MIGRATION_JOIN_INTERVAL", c.joinInterval(),
                "MIGRATION_EVENTS_HEARTBEAT", c.eventsHeartbeat()).entrySet()) {
            if (d.getValue().isNegative() || d.getValue().isZero()) {
                return d.getKey() + " must be a positive duration such as PT5S";
            }
        }
        if (c.heartbeat().multipliedBy(2).compareTo(c.lease()) > 0) {
            // One late heartbeat must not cost a live replica its batches.
            return "MIGRATION_HEARTBEAT must be at most half of MIGRATION_LEASE";
        }
        if (c.workerId().filter(id -> !id.isBlank() && !id.trim().matches("[A-Za-z0-9._:-]{1,100}")).isPresent()) {
            return "MIGRATION_WORKER_ID must be 1 to 100 letters, digits, '.', '_', ':' or '-'";
        }
        if (c.eventsMaxWatchers() < 1) {
            return "MIGRATION_EVENTS_MAX_WATCHERS must be at least 1";
        }
        if (c.readConnections() < 1 || c.readConnections() > 64) {
            return "MIGRATION_READ_CONNECTIONS must be between 1 and 64";
        }
        if (c.purgeOlderThanDays() < 0) {
            return "MIGRATION_PURGE_OLDER_THAN_DAYS must be 0 or more";
        }
        if (c.pricePerGbMonth().signum() < 0) {
            return "MIGRATION_PRICE_PER_GB_MONTH must not be negative";
        }
        return null;
    }

    void onStop(@Observes ShutdownEvent event) {
        // Heartbeats go on while the images in flight finish, so no batch is taken over from under them.
        runner.halt();
        coordinator.stop();
    }
}
