package io.zinteract.images.migration;

import io.zinteract.images.support.Admin;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.server.S3TestProxy;
import io.zinteract.images.support.server.S3ProxyProcess;
import io.zinteract.images.support.server.ServiceProcess;
import io.zinteract.images.support.server.TestPostgres;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Several packaged services on one fresh PostgreSQL database and one S3Proxy, each replica behind a {@link S3TestProxy}
 * of its own, so the test sees which replica uploaded which object (PUTs per key per replica), independently of what the
 * service reports. Leases, heartbeats and joining are shortened through the environment, as an operator would.
 * Public for the ITs of other features that need several replicas (the serving cache's).
 */
public final class ReplicaCluster implements AutoCloseable {

    static final String BUCKET = "test-images";

    final String database;
    final Path dir;
    final S3ProxyProcess s3;
    final Map<String, S3TestProxy> proxies = new LinkedHashMap<>();
    final Map<String, ServiceProcess> replicas = new LinkedHashMap<>();
    private Connection connection;

    private ReplicaCluster(String database, Path dir, S3ProxyProcess s3) {
        this.database = database;
        this.dir = dir;
        this.s3 = s3;
    }

    /** Starts S3Proxy, one proxy and one service per name (in parallel), and waits until every service is ready. */
    public static ReplicaCluster start(String test, Map<String, String> settings, String... names) throws Exception {
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String database = TestPostgres.createDatabase("r2_replicas_");
        Path dir = Path.of("target", "replicas-it", test + "-" + run).toAbsolutePath();
        S3ProxyProcess s3 = new S3ProxyProcess(dir.resolve("s3")).start();
        s3.createBucket(BUCKET);
        ReplicaCluster cluster = new ReplicaCluster(database, dir, s3);
        try {
            List<CompletableFuture<ServiceProcess>> starting = new ArrayList<>();
            for (String name : names) {
                S3TestProxy proxy = S3TestProxy.to(s3.port()).start();
                cluster.proxies.put(name, proxy);
                Map<String, String> env = new HashMap<>(settings);
                env.put("DATABASE_URL", TestPostgres.server().databaseUrl(database));
                env.put("R2_ENDPOINT", proxy.endpoint());
                env.put("R2_ACCESS_KEY_ID", S3ProxyProcess.IDENTITY);
                env.put("R2_SECRET_ACCESS_KEY", S3ProxyProcess.CREDENTIAL);
                env.put("R2_BUCKET", BUCKET);
                env.put("ADMIN_API_KEY", Admin.KEY);
                env.put("ENABLE_R2_STORAGE", "false");
                // The ITs count every PUT per key: eager variants of migrated images would add theirs.
                env.put("VARIANTS_EAGER", "false");
                env.put("MIGRATION_WORKER_ID", name);
                ServiceProcess process = ServiceProcess.start(name, dir, env);
                cluster.replicas.put(name, process);
                starting.add(CompletableFuture.supplyAsync(() -> process.awaitReady(Duration.ofSeconds(60))));
            }
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
            return cluster;
        } catch (RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    public ServiceProcess replica(String name) {
        return replicas.get(name);
    }

    /**
     * The test's own view of the database: one connection, shared, that the helpers' {@code close()} leaves open
     * (opening one per statement costs seconds for a few hundred rows on a busy machine).
     */
    public synchronized DataSource dataSource() throws SQLException {
        if (connection == null) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            TestPostgres.Server server = TestPostgres.server();
            ds.setUrl(server.jdbcUrl(database));
            ds.setUser(server.user());
            ds.setPassword(server.password());
            connection = ds.getConnection();
        }
        Connection shared = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] { Connection.class }, (proxy, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] { DataSource.class },
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        return shared;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }

    BucketClient bucket() {
        return new BucketClient(s3.endpoint(), BUCKET);
    }

    /** Posts an action to one replica and returns the job's id (202). */
    public static String post(ServiceProcess replica, String json) {
        return given().baseUri(replica.baseUrl()).header(Admin.auth()).contentType(ContentType.JSON).body(json)
                .post(MigrationApi.PATH).then().statusCode(202).extract().path("jobId");
    }

    static JsonPath job(ServiceProcess replica, String id) {
        return given().baseUri(replica.baseUrl()).get(MigrationApi.PATH + "/jobs/" + id).then().statusCode(200)
                .extract().jsonPath();
    }

    /** Polls the job through {@code replica} until it is no longer running or waiting. */
    public static JsonPath awaitEnd(ServiceProcess replica, String id, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        JsonPath last = null;
        while (System.nanoTime() < deadline) {
            last = job(replica, id);
            String state = last.getString("state");
            if (!state.equals("running") && !state.equals("waiting-for-storage")) {
                return last;
            }
            MigrationApi.sleep(100);
        }
        fail("job " + id + " did not end within " + limit + "; last: " + (last == null ? "-" : last.prettify()));
        return null;
    }

    /** Sum of a counter on a replica's {@code /q/metrics}, over all its tags. */
    public static double metric(ServiceProcess replica, String name) {
        String text = given().baseUri(replica.baseUrl()).get("/q/metrics").then().statusCode(200).extract().asString();
        return text.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // the database is dropped below
            }
        }
        // Stopped together: each takes a moment to finish its images in flight.
        replicas.values().stream().map(r -> CompletableFuture.runAsync(r::close)).toList()
                .forEach(CompletableFuture::join);
        proxies.values().forEach(S3TestProxy::close);
        s3.close();
        try {
            TestPostgres.dropDatabase(database);
        } catch (Exception e) {
            System.err.println("could not drop " + database + ": " + e.getMessage());
        }
    }
}
