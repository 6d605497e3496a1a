package io.zinteract.images.support.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real s3rver (npm {@code s3rver@3.7.1}) in its own Node process on a loopback port, with one bucket created at
 * start. Unlike S3Proxy it implements PutBucketCors and GetBucketCors. The build installs it under
 * {@code src/test/s3rver} ({@code src/test/s3rver/install.sh}, run in {@code generate-test-resources}).
 */
public final class S3rverProcess implements AutoCloseable {

    /** s3rver's fixed credentials. */
    public static final String ACCESS_KEY = "S3RVER";
    public static final String SECRET_KEY = "S3RVER";

    private final Path dataDir;
    private final String bucket;
    private final int port;
    private Process process;

    public S3rverProcess(Path dataDir, String bucket) {
        this.dataDir = dataDir;
        this.bucket = bucket;
        this.port = S3ProxyProcess.freePort();
    }

    public S3rverProcess start() {
        Path home = Path.of(System.getProperty("s3rver.home", "src/test/s3rver"));
        Path script = home.resolve("node_modules/s3rver/bin/s3rver.js");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("s3rver is not installed (no " + script.toAbsolutePath() + "): the build "
                    + "installs it in generate-test-resources (src/test/s3rver/install.sh; needs Node.js 18+ and npm)");
        }
        try {
            Files.createDirectories(dataDir);
            Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
            process = new ProcessBuilder(List.of("node", script.toString(), "-d", dataDir.toString(), "-a", "127.0.0.1",
                    "-p", Integer.toString(port), "--no-vhost-buckets", "--configure-bucket", bucket))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            S3ProxyProcess.awaitPort(process, port, Duration.ofSeconds(30), "s3rver", "; see " + log);
            return this;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start s3rver with `node` (is Node.js on the PATH?)", e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }
}
