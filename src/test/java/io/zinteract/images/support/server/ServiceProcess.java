package io.zinteract.images.support.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}) as a process of its own, as an operator runs it:
 * settings through the environment only, output to a log file. Its parent's R2, database and migration variables are
 * not passed on, so a developer's shell cannot change what a test sees.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;

    private ServiceProcess(String name, int port, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** Starts the jar with {@code env} (PORT is chosen here) and returns at once; see {@link #awaitReady}. */
    public static ServiceProcess start(String name, Path dir, Map<String, String> env) {
        try {
            Files.createDirectories(dir);
            int port = S3ProxyProcess.freePort();
            Path log = dir.resolve(name + ".log");
            ProcessBuilder builder = new ProcessBuilder(List.of(
                    // C1 only and the serial collector: several services start on a couple of shared cores in tests.
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().toString()))
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("R2_") || k.startsWith("MIGRATION_")
                    || k.startsWith("QUARKUS_") || k.equals("ENABLE_R2_STORAGE") || k.equals("DATABASE_URL")
                    || k.equals("ADMIN_API_KEY") || k.equals("SQLITE_PATH"));
            builder.environment().put("SQLITE_PATH", dir.resolve(name + "-unused.db").toString());
            // Tests send bursts from one address; the rate limit tests turn the limits on through env.
            builder.environment().put("RATE_LIMIT_ENABLED", "false");
            builder.environment().putAll(env);
            builder.environment().put("PORT", Integer.toString(port));
            return new ServiceProcess(name, port, log, builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for {@code /q/health/ready} to answer 200; fails with the log when the process exits or time runs out. */
    public ServiceProcess awaitReady(Duration limit) {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                int status = http.send(HttpRequest.newBuilder(URI.create(url("/q/health/ready")))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(100);
        }
        throw new IllegalStateException(name + " was not ready within " + limit + ":\n" + log());
    }

    public String name() {
        return name;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL on Linux: no shutdown hook runs, nothing is flushed or released, as when a node dies. */
    public void kill() {
        process.destroyForcibly();
        waitFor();
    }

    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** SIGTERM, then SIGKILL if it has not stopped within 30 s. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private void waitFor() {
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
