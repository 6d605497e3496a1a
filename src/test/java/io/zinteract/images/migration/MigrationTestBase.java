package io.zinteract.images.migration;

import io.agroal.api.AgroalDataSource;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.zinteract.images.migration.engine.JobRunner;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.sql.SQLException;

/**
 * What the migration tests that run jobs share: each test starts with closed breakers, no legacy rows and an empty
 * bucket, and leaves no job running here. A subclass's own {@code @BeforeEach} runs after {@link #startFresh}, its
 * {@code @AfterEach} before {@link #cancelRunning}.
 */
abstract class MigrationTestBase {

    @Inject
    AgroalDataSource db;
    @Inject
    CircuitBreakerMaintenance breakers;
    @Inject
    JobRunner runner;

    @BeforeEach
    void startFresh() throws SQLException {
        MigrationApi.freshStart(breakers, db);
    }

    @AfterEach
    void cancelRunning() {
        MigrationApi.cancelRunning(runner);
    }
}
