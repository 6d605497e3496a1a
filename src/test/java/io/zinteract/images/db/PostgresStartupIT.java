package io.zinteract.images.db;

import io.zinteract.images.support.server.TestPostgres;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged service started with {@code DATABASE_URL} runs on PostgreSQL, not SQLite: the schema lands in the
 * PostgreSQL database (the tests' server, {@link TestPostgres}) and no SQLite file is created.
 */
class PostgresStartupIT {

    @Test
    void databaseUrlSwitchesTheSameArtifactToPostgres() throws Exception {
        TestPostgres.Server server = TestPostgres.server();
        String db = TestPostgres.createDatabase("r2_it_");
        Path dir = Files.createTempDirectory(Path.of("target"), "pg-startup");
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("R2_") || k.equals("ENABLE_R2_STORAGE"));
        builder.environment().put("DATABASE_URL", server.databaseUrl(db));
        builder.environment().put("SQLITE_PATH", dir.resolve("must-not-exist.db").toString());
        builder.environment().put("PORT", Integer.toString(port));
        Process process = builder.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            int status = 0;
            for (int i = 0; i < 100 && status != 200; i++) {
                Thread.sleep(200);
                try {
                    status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (java.io.IOException notYet) {
                    status = 0;
                }
            }
            assertEquals(200, status, Files.readString(dir.resolve("out.log")));
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(db));
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT MAX(version) FROM flyway_schema_history WHERE success")) {
                rs.next();
                assertTrue(rs.getString(1) != null, "the schema must be in PostgreSQL");
            }
            assertTrue(Files.notExists(dir.resolve("must-not-exist.db")), "no SQLite file may be created");
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
            TestPostgres.dropDatabase(db);
        }
    }
}
