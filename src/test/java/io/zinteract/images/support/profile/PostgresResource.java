package io.zinteract.images.support.profile;

import io.zinteract.images.support.server.TestPostgres;
import java.util.HashMap;
import java.util.Map;

/**
 * S3Proxy plus a fresh PostgreSQL database of its own on the tests' server ({@link TestPostgres}: embedded, or the one
 * {@code TEST_POSTGRES_URL} names), dropped at the end. The service is pointed at it exactly as {@code DATABASE_URL}
 * would point it.
 */
public class PostgresResource extends S3ProxyResource {

    private String database;

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        TestPostgres.Server server = TestPostgres.server();
        database = TestPostgres.createDatabase("r2_test_");
        config.put("quarkus.datasource.active", "false");
        config.put("quarkus.datasource.postgresql.active", "true");
        config.put("quarkus.datasource.postgresql.jdbc.url",
                "jdbc:postgresql://" + server.host() + ":" + server.port() + "/" + database);
        config.put("quarkus.datasource.postgresql.username", server.user());
        if (server.password() != null) {
            config.put("quarkus.datasource.postgresql.password", server.password());
        }
        usePostgres(server.jdbcUrl(database));
        return config;
    }

    @Override
    public void stop() {
        super.stop();
        if (database != null) {
            TestPostgres.dropDatabase(database);
        }
    }
}
