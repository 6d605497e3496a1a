package io.zinteract.images.migration.engine;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The replica settings that cannot work stop the service at start, naming the variable (no Quarkus needed). */
class ReplicaSettingsTest {

    @Test
    void defaultsAreAccepted() {
        assertNull(MigrationLifecycle.configProblem(config(Map.of())));
    }

    @Test
    void aHeartbeatOverHalfTheLeaseIsRefused() {
        // One late heartbeat would then cost a live replica its batches.
        assertEquals("MIGRATION_HEARTBEAT must be at most half of MIGRATION_LEASE", MigrationLifecycle.configProblem(
                config(Map.of("lease", Duration.ofSeconds(10), "heartbeat", Duration.ofSeconds(6)))));
        assertNull(MigrationLifecycle.configProblem(
                config(Map.of("lease", Duration.ofSeconds(10), "heartbeat", Duration.ofSeconds(5)))));
    }

    @Test
    void zeroDurationsAreRefused() {
        assertEquals("MIGRATION_LEASE must be a positive duration such as PT5S",
                MigrationLifecycle.configProblem(config(Map.of("lease", Duration.ZERO))));
        assertEquals("MIGRATION_JOIN_INTERVAL must be a positive duration such as PT5S",
                MigrationLifecycle.configProblem(config(Map.of("joinInterval", Duration.ZERO))));
    }

    @Test
    void aWorkerIdMustBeAPlainName() {
        assertEquals("MIGRATION_WORKER_ID must be 1 to 100 letters, digits, '.', '_', ':' or '-'",
                MigrationLifecycle.configProblem(config(Map.of("workerId", Optional.of("pod 1; DROP")))));
        assertNull(MigrationLifecycle.configProblem(config(Map.of("workerId", Optional.of("images-7f9c:8080")))));
    }

    @Test
    void eventAndReadSettingsMustBeUsable() {
        assertNull(MigrationLifecycle.configProblem(config(Map.of())));
        assertEquals("MIGRATION_EVENTS_MAX_WATCHERS must be at least 1",
                MigrationLifecycle.configProblem(config(Map.of("eventsMaxWatchers", 0))));
        assertEquals("MIGRATION_EVENTS_HEARTBEAT must be a positive duration such as PT5S",
                MigrationLifecycle.configProblem(config(Map.of("eventsHeartbeat", Duration.ZERO))));
        assertEquals("MIGRATION_READ_CONNECTIONS must be between 1 and 64",
                MigrationLifecycle.configProblem(config(Map.of("readConnections", 0))));
    }

    @Test
    void theGeneratedWorkerIdNamesHostAndProcess() {
        String id = WorkerId.generated();
        assertEquals(true, id.matches(".+-" + ProcessHandle.current().pid() + "-[0-9a-f]{4}"), id);
    }

    /** The defaults of {@link MigrationConfig}, with some values replaced. */
    static MigrationConfig config(Map<String, Object> overrides) {
        Map<String, Object> values = new HashMap<>(Map.ofEntries(Map.entry("batchSize", 10), Map.entry("concurrency", 4),
                Map.entry("maxAttempts", 3), Map.entry("listedItems", 100), Map.entry("batchTimeout", Duration.ofMinutes(5)),
                Map.entry("probeInterval", Duration.ofSeconds(5)), Map.entry("probeTimeout", Duration.ofSeconds(3)),
                Map.entry("storageWaitLimit", Duration.ofHours(24)), Map.entry("resumeOnStart", true),
                Map.entry("purgeOlderThanDays", 30), Map.entry("eventsInterval", Duration.ofSeconds(1)),
                Map.entry("pricePerGbMonth", new BigDecimal("0.015")), Map.entry("workerId", Optional.empty()),
                Map.entry("lease", Duration.ofSeconds(30)), Map.entry("heartbeat", Duration.ofSeconds(5)),
                Map.entry("joinInterval", Duration.ofSeconds(5)), Map.entry("eventsMaxWatchers", 512),
                Map.entry("eventsHeartbeat", Duration.ofSeconds(15)), Map.entry("readConnections", 2)));
        values.putAll(overrides);
        return (MigrationConfig) Proxy.newProxyInstance(MigrationConfig.class.getClassLoader(),
                new Class<?>[] { MigrationConfig.class }, (proxy, method, args) -> {
                    if (!values.containsKey(method.getName())) {
                        throw new IllegalStateException("no test value for " + method.getName());
                    }
                    return values.get(method.getName());
                });
    }
}
