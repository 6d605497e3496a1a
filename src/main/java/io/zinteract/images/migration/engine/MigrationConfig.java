package io.zinteract.images.migration.engine;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

/**
 * Settings of the migration engine ({@code /api/migrate-images}). Each key's environment variable is mapped in
 * {@code application.properties}; requests may override batch size and concurrency per job within their ranges.
 */
@ConfigMapping(prefix = "migration")
public interface MigrationConfig {

    /** Images read per batch, and so between two checkpoints, when a request does not say ({@code MIGRATION_BATCH_SIZE}). */
    @WithDefault("10")
    int batchSize();

    /** Images of one batch processed at the same time, and so at most held in memory ({@code MIGRATION_CONCURRENCY}). */
    @WithDefault("4")
    int concurrency();

    /**
     * Tries of one image within a job when its upload cannot be verified (size or ETag differ) or a batch times out,
     * before the image is reported failed ({@code MIGRATION_MAX_ATTEMPTS}). Store outages do not count: they pause the
     * job instead.
     */
    @WithDefault("3")
    int maxAttempts();

    /** Length of every list in a job report (errors, missing, corrupted, orphaned, keys); totals are always exact ({@code MIGRATION_LISTED_ITEMS}). */
    @WithDefault("100")
    int listedItems();

    /** Limit on one batch; a batch that takes longer is treated like a store outage and tried again ({@code MIGRATION_BATCH_TIMEOUT}). */
    @WithDefault("PT5M")
    Duration batchTimeout();

    /** How often a job in {@code waiting-for-storage} asks the store whether it answers again ({@code MIGRATION_PROBE_INTERVAL}). */
    @WithDefault("PT5S")
    Duration probeInterval();

    /** Time one probe may take ({@code MIGRATION_PROBE_TIMEOUT}). */
    @WithDefault("PT3S")
    Duration probeTimeout();

    /** How long a job waits for the store before it gives up and fails, resumable later ({@code MIGRATION_STORAGE_WAIT_LIMIT}). */
    @WithDefault("PT24H")
    Duration storageWaitLimit();

    /** Whether a job that was running when the process stopped (crash, kill -9, redeploy) continues at start ({@code MIGRATION_RESUME_ON_START}). */
    @WithDefault("true")
    boolean resumeOnStart();

    /** Default age, in days since migration, from which {@code purge} clears retained base64 ({@code MIGRATION_PURGE_OLDER_THAN_DAYS}). */
    @WithDefault("30")
    int purgeOlderThanDays();

    /**
     * Objects younger than this are never removed by {@code cleanup}, referenced or not: an upload writes its object
     * before its row, and a presigned upload's staging object waits for its completion ({@code MIGRATION_CLEANUP_GRACE}).
     * At least a minute; longer than any upload, migration batch or presigned URL's validity.
     */
    @WithDefault("PT6H")
    Duration cleanupGrace();

    /** Interval between two server-sent events of a job's progress ({@code MIGRATION_EVENTS_INTERVAL}). */
    @WithDefault("PT1S")
    Duration eventsInterval();

    /**
     * Streams of job events open at once on this replica, all jobs together; one more gets a 503 TOO_MANY_WATCHERS
     * with {@code Retry-After} ({@code MIGRATION_EVENTS_MAX_WATCHERS}). A stream costs a connection and a write per
     * change of its job, never a database connection.
     */
    @WithDefault("512")
    int eventsMaxWatchers();

    /** Interval of the comment lines sent on every stream of job events, so that proxies keep idle streams open ({@code MIGRATION_EVENTS_HEARTBEAT}). */
    @WithDefault("PT15S")
    Duration eventsHeartbeat();

    /**
     * Database connections that the migration's read-only views (status, jobs and their events) use at most at once,
     * however many clients ask; the rest of the pool stays for uploads, image reads and the jobs' own writes
     * ({@code MIGRATION_READ_CONNECTIONS}). Less than the pool size.
     */
    @WithDefault("2")
    int readConnections();

    /** R2 Standard storage price in USD per GB-month (10^9 bytes), for the dry run's cost estimate ({@code MIGRATION_PRICE_PER_GB_MONTH}). */
    @WithDefault("0.015")
    BigDecimal pricePerGbMonth();

    /**
     * Name of this replica in the claims it takes and in a job's {@code workers} ({@code MIGRATION_WORKER_ID}); unique
     * among the replicas sharing a database. Default: host name, process id and a random suffix.
     */
    Optional<String> workerId();

    /**
     * How long a batch claimed by a replica stays its own without a heartbeat ({@code MIGRATION_LEASE}). When a replica
     * dies, its batches wait this long before another replica takes them over; the clocks of the replicas must agree to
     * well within it.
     */
    @WithDefault("PT30S")
    Duration lease();

    /** How often a replica renews the leases of its claims and checks whether its jobs were paused or ended elsewhere ({@code MIGRATION_HEARTBEAT}); at most half the lease. */
    @WithDefault("PT5S")
    Duration heartbeat();

    /** How often a replica looks for running jobs it does not work on yet, to help with them ({@code MIGRATION_JOIN_INTERVAL}). */
    @WithDefault("PT5S")
    Duration joinInterval();
}
