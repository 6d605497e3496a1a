package io.zinteract.images.migration.engine;

import io.zinteract.images.migration.job.Claim;
import io.zinteract.images.support.server.TestPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The fence every per-image transaction passes, on the real schema of both databases: it holds while this replica owns
 * the claim, fails once another took it, and keeps a takeover waiting until the fenced transaction ends. On PostgreSQL
 * two transactions of the same batch pass it side by side (a shared row lock), which is what lets a replica's images
 * commit concurrently.
 */
class ClaimFenceTest {

    static final Claim MINE = new Claim("job-1", 0, "", "m", "replica-a", null);
    static final Claim THEIRS = new Claim("job-1", 0, "", "m", "replica-b", null);

    @Test
    void onPostgresImagesOfOneBatchPassTogetherAndATakeoverWaitsForThem() throws Exception {
        String database = TestPostgres.createDatabase("fence_");
        String url = TestPostgres.server().jdbcUrl(database);
        try {
            Flyway.configure().dataSource(url, null, null).load().migrate();
            try (Connection setup = DriverManager.getConnection(url)) {
                insertClaim(setup);
            }
            try (Connection first = tx(url); Connection second = tx(url); Connection takeover = tx(url)) {
                ClaimRepository.fence(first, MINE, true);
                lockTimeout(second);
                ClaimRepository.fence(second, MINE, true); // does not wait for the first
                assertThrows(ClaimLostException.class, () -> ClaimRepository.fence(second, THEIRS, true));
                second.rollback();

                lockTimeout(takeover);
                SQLException waited = assertThrows(SQLException.class, () -> takeOver(takeover));
                assertEquals("55P03", waited.getSQLState(), "the takeover waits while an image transaction is fenced");
                takeover.rollback();

                first.commit();
                assertEquals(1, takeOver(takeover));
                takeover.commit();
                assertThrows(ClaimLostException.class, () -> ClaimRepository.fence(first, MINE, true));
                ClaimRepository.fence(first, THEIRS, true);
                first.rollback();
            }
        } finally {
            TestPostgres.dropDatabase(database);
        }
    }

    @Test
    void onSqliteTheFenceHoldsForTheOwnerOnly() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target"), "fence-");
        String url = "jdbc:sqlite:" + dir.resolve("images.db");
        Flyway.configure().dataSource(url, null, null).load().migrate();
        try (Connection c = DriverManager.getConnection(url)) {
            insertClaim(c);
            c.setAutoCommit(false);
            ClaimRepository.fence(c, MINE, false);
            assertThrows(ClaimLostException.class, () -> ClaimRepository.fence(c, THEIRS, false));
            c.rollback();
            assertEquals(1, takeOver(c));
            c.commit();
            assertThrows(ClaimLostException.class, () -> ClaimRepository.fence(c, MINE, false));
            ClaimRepository.fence(c, THEIRS, false);
            c.rollback();
        }
    }

    static void insertClaim(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO migration_claims (job_id, batch_no, after_id, through_id, claimed_by, "
                    + "lease_expires_at, claimed_at) VALUES ('job-1', 0, '', 'm', 'replica-a', 0, 0)");
        }
    }

    static int takeOver(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            return s.executeUpdate("UPDATE migration_claims SET claimed_by = 'replica-b' "
                    + "WHERE job_id = 'job-1' AND batch_no = 0 AND claimed_by = 'replica-a'");
        }
    }

    static Connection tx(String url) throws SQLException {
        Connection c = DriverManager.getConnection(url);
        c.setAutoCommit(false);
        return c;
    }

    static void lockTimeout(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL lock_timeout = '300ms'");
        }
    }
}
