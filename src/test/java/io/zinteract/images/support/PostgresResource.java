package io.zinteract.images.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * S3Proxy plus a fresh PostgreSQL database of its own on the machine's server (127.0.0.1:5432, trust auth), dropped
 * at the end. The service is pointed at it exactly as {@code DATABASE_URL} would point it.
 */
public class PostgresResource extends S3ProxyResource {

    public static final String SERVER = System.getProperty("test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/postgres");
    public static final String USER = System.getProperty("test.postgres.user", "postgres");

    private String database;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        database = "r2_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        admin("CREATE DATABASE " + database);
        String url = SERVER.substring(0, SERVER.lastIndexOf('/') + 1) + database;
        config.put("quarkus.datasource.active", "false");
        config.put("quarkus.datasource.postgresql.active", "true");
        config.put("quarkus.datasource.postgresql.jdbc.url", url);
        config.put("quarkus.datasource.postgresql.username", USER);
        usePostgres(url + "?user=" + USER);
        return config;
    }

    @Override
    public void stop() {
        super.stop();
        if (database != null) {
            admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    private static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(SERVER + "?user=" + USER); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + SERVER + " is needed for this test: " + e.getMessage(), e);
        }
    }
}
