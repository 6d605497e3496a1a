package io.zinteract.images.ratelimit;

import io.zinteract.images.support.server.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PostgreSQL bucket store on the table V8 creates: exact counts, rows that say when they may go, and the sweep
 * that removes only expired rows.
 */
class PostgresBucketsTest {

    static String database;
    static PGSimpleDataSource dataSource;

    @BeforeAll
    static void createTable() throws Exception {
        database = TestPostgres.createDatabase("r2_ratelimit_");
        dataSource = new PGSimpleDataSource();
        dataSource.setUrl(TestPostgres.server().jdbcUrl(database));
        dataSource.setUser(TestPostgres.server().user());
        dataSource.setPassword(TestPostgres.server().password());
        String v8 = Files.readString(Path.of("src/main/resources/db/migration/V8__rate_limit_buckets.sql"));
        update(v8);
    }

    @AfterAll
    static void drop() {
        TestPostgres.dropDatabase(database);
    }

    @Test
    void countsExactlyAndSweepsOnlyExpiredRows() throws Exception {
        PostgresBuckets buckets = new PostgresBuckets(dataSource);
        LimitSpec spec = new LimitSpec(2, Duration.ofHours(1));
        assertTrue(buckets.consume("uploads|4:198.51.100.1", spec).isConsumed());
        assertTrue(buckets.peek("uploads|4:198.51.100.1", spec).canBeConsumed());
        assertTrue(buckets.consume("uploads|4:198.51.100.1", spec).isConsumed());
        assertFalse(buckets.peek("uploads|4:198.51.100.1", spec).canBeConsumed());
        assertFalse(buckets.consume("uploads|4:198.51.100.1", spec).isConsumed());
        assertTrue(buckets.consume("uploads|4:198.51.100.2", spec).isConsumed());

        long now = System.currentTimeMillis();
        // Full again in an hour, kept a minute beyond.
        assertEquals(2, count("SELECT COUNT(*) FROM rate_limit_buckets WHERE expires_at > " + (now + 3_500_000L)));
        assertEquals(0, buckets.sweep(1000), "nothing has expired yet");
        update("UPDATE rate_limit_buckets SET expires_at = " + (now - 1) + " WHERE id = 'uploads|4:198.51.100.2'");
        assertEquals(1, buckets.sweep(1000));
        assertEquals(1, count("SELECT COUNT(*) FROM rate_limit_buckets"));
        assertFalse(buckets.consume("uploads|4:198.51.100.1", spec).isConsumed(), "the kept bucket is still spent");
    }

    static void update(String sql) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static long count(String sql) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
