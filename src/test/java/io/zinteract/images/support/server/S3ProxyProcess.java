package io.zinteract.images.support.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real S3Proxy (filesystem backend, SigV4) in its own process on a loopback port. It can be stopped and started
 * again on the same port and folder, so tests can take the store away and bring it back.
 */
public final class S3ProxyProcess implements AutoCloseable {

    public static final String IDENTITY = "test-access-key";
    public static final String CREDENTIAL = "test-secret-key";

    /**
     * The filesystem backend writes an object to {@code <name>-<uuid>} and renames it when the body is complete; a kill
     * in between leaves that file, which would then list as an object. R2 never shows a half-written object.
     */
    private static final Pattern HALF_WRITTEN =
            Pattern.compile(".+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final Path baseDir;
    private final int port;
    private final Path properties;
    private final boolean verifySignatures;
    private Process process;

    public S3ProxyProcess(Path baseDir) {
        this(baseDir, true);
    }

    /**
     * {@code verifySignatures} false runs S3Proxy without authentication, for requests that a test proxy has changed
     * after the client signed them (the SSE-C recording proxy strips headers that S3Proxy would refuse).
     */
    public S3ProxyProcess(Path baseDir, boolean verifySignatures) {
        this.baseDir = baseDir;
        this.verifySignatures = verifySignatures;
        this.port = freePort();
        this.properties = baseDir.resolveSibling(baseDir.getFileName() + ".properties");
    }

    public S3ProxyProcess start() {
        try {
            Files.createDirectories(baseDir);
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=" + (verifySignatures ? "aws-v2-or-v4" : "none"),
                    "s3proxy.identity=" + IDENTITY,
                    "s3proxy.credential=" + CREDENTIAL,
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + baseDir.toAbsolutePath(),
                    ""));
            String jar = System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar");
            if (!Files.exists(Path.of(jar))) {
                throw new IllegalStateException("S3Proxy jar not found at " + jar + "; run the build through Maven");
            }
            Path log = baseDir.resolveSibling(baseDir.getFileName() + ".log");
            process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar, "--properties", properties.toString()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            awaitPort(process, port, Duration.ofSeconds(60), "S3Proxy", "");
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates a bucket the way the filesystem backend stores one: a folder under the base directory. */
    public void createBucket(String bucket) {
        try {
            Files.createDirectories(baseDir.resolve(bucket));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path baseDir() {
        return baseDir;
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    /**
     * Kills the process at once, as a crash would; the port stops answering. Objects whose upload the kill cut short
     * are removed, as an atomic store would never have shown them.
     */
    public void stop() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
            deleteFiles(path -> HALF_WRITTEN.matcher(path.getFileName().toString()).matches());
        }
    }

    /** Deletes every bucket and object, so the next test profile starts on an empty store without a new process. */
    public void clear() {
        deleteFiles(path -> !path.equals(baseDir));
    }

    private void deleteFiles(java.util.function.Predicate<Path> which) {
        if (!Files.isDirectory(baseDir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(baseDir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).filter(which).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Waits until {@code process} accepts connections on {@code port}; fails at once when it exits. {@code name} and
     * {@code where} (e.g. "; see its log") go into the failure message. Shared with the other processes tests start.
     */
    static void awaitPort(Process process, int port, Duration limit, String name, String where) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " during start" + where);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        throw new IllegalStateException(name + " did not open port " + port + " within " + limit + where);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
