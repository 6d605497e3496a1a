package io.zinteract.images.support.profile;

import io.zinteract.images.support.Admin;
import io.zinteract.images.support.server.S3ProxyProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Points a Quarkus test profile's service at an empty S3Proxy bucket and a database file of its own. One S3Proxy
 * process per test JVM (per signature mode) serves every profile in turn, emptied at each profile's start, since
 * profiles run one after another and a process start costs seconds. Tests that need the process itself (to stop it)
 * get it through {@link #current()}; a profile finding it stopped starts it again.
 */
public class S3ProxyResource implements QuarkusTestResourceLifecycleManager {

    public static final String BUCKET = "test-images";
    private static final Map<Boolean, S3ProxyProcess> SHARED = new ConcurrentHashMap<>();
    private static volatile S3ProxyProcess current;
    private static volatile String currentDatabase;
    private static volatile String currentJdbcUrl;

    private String adminKey = Admin.KEY;

    /** Init arg {@code adminKey}: the key to configure, empty for none. */
    @Override
    public void init(Map<String, String> initArgs) {
        adminKey = initArgs.getOrDefault("adminKey", Admin.KEY);
    }

    @Override
    public Map<String, String> start() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        S3ProxyProcess proxy = shared(verifySignatures());
        proxy.clear();
        proxy.createBucket(BUCKET);
        current = proxy;
        Map<String, String> config = new HashMap<>();
        config.put("r2.endpoint", proxy.endpoint());
        config.put("r2.access-key-id", S3ProxyProcess.IDENTITY);
        config.put("r2.secret-access-key", S3ProxyProcess.CREDENTIAL);
        config.put("r2.bucket", BUCKET);
        if (!adminKey.isEmpty()) {
            config.put("admin.api-key", adminKey);
        }
        currentJdbcUrl = null;
        currentDatabase = Path.of("target", "test-db", run, "images.db").toAbsolutePath().toString();
        config.put("images.sqlite-path", currentDatabase);
        return config;
    }

    /** Whether S3Proxy checks request signatures; a subclass that rewrites requests on the way turns it off. */
    protected boolean verifySignatures() {
        return true;
    }

    /** The process is kept for the next profile; it ends with the test JVM. */
    @Override
    public void stop() {
    }

    private static S3ProxyProcess shared(boolean verifySignatures) {
        S3ProxyProcess process = SHARED.computeIfAbsent(verifySignatures, verify -> {
            S3ProxyProcess created = new S3ProxyProcess(
                    Path.of("target", "s3proxy-data", verify ? "signed" : "unsigned").toAbsolutePath(), verify);
            Runtime.getRuntime().addShutdownHook(new Thread(created::close, "s3proxy-stop"));
            return created;
        });
        if (!process.running()) {
            process.start();
        }
        return process;
    }

    public static S3ProxyProcess current() {
        return current;
    }

    /** The SQLite file of the running profile; tests read it directly, also when the app runs packaged (ITs). */
    public static String currentDatabase() {
        return currentDatabase;
    }

    /** JDBC URL of the running profile's database, SQLite or PostgreSQL. */
    public static String currentJdbcUrl() {
        return currentJdbcUrl != null ? currentJdbcUrl : "jdbc:sqlite:" + currentDatabase;
    }

    static void usePostgres(String jdbcUrl) {
        currentJdbcUrl = jdbcUrl;
    }
}
