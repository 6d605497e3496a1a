import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Configuration;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The two comparison programs of the migration benchmark, on the service's own SDK (AWS SDK v2 S3AsyncClient over
 * aws-crt, built as R2ClientFactory builds it: path style, WHEN_REQUIRED checksums, LegacyMd5Plugin, no SDK retries).
 * Run with the packaged service's jars: {@code java -cp 'target/quarkus-app/lib/main/*' bench/PutBench.java MODE ...}.
 *
 * <ul>
 * <li>{@code raw MANIFEST ROOT BUCKET CONCURRENCY}: the ceiling. Every object of the manifest read from ROOT and PUT with
 * the same headers as the service sends (Content-MD5, Content-Type, Cache-Control, metadata image-id and sha256), at
 * most CONCURRENCY in flight, nothing else: no database, no HEAD.</li>
 * <li>{@code seed DB BUCKET}: the seed plan's algorithm. Rows read 10 at a time from the legacy database (keyset on id),
 * each batch uploaded 3 images at a time (Promise.all over slices of 3), the row updated after its PUT, 100 ms pause
 * between batches. No Content-MD5 and no verification, as in the seed; undecodable rows are marked failed.</li>
 * </ul>
 * Prints one JSON line: images, bytes, seconds (first request to last answer), cpuSeconds (this process's CPU time over
 * the same span), errors (seed: rows that failed, such as corrupt base64).
 */
public class PutBench {

    static final String CACHE_CONTROL = "public, max-age=31536000, immutable";

    public static void main(String[] args) throws Exception {
        String endpoint = System.getenv("BENCH_S3_ENDPOINT");
        try (S3AsyncClient s3 = client(endpoint, System.getenv("BENCH_S3_KEY"), System.getenv("BENCH_S3_SECRET"))) {
            s3.listObjectsV2(b -> b.bucket(args[args.length - (args[0].equals("raw") ? 2 : 1)]).maxKeys(1)).join();
            switch (args[0]) {
                case "raw" -> raw(s3, Path.of(args[1]), Path.of(args[2]), args[3], Integer.parseInt(args[4]));
                case "seed" -> seed(s3, args[1], args[2]);
                default -> throw new IllegalArgumentException("mode raw or seed");
            }
        }
    }

    static S3AsyncClient client(String endpoint, String key, String secret) {
        return S3AsyncClient.builder()
                .httpClientBuilder(AwsCrtAsyncHttpClient.builder().maxConcurrency(50)
                        .connectionMaxIdleTime(Duration.ofSeconds(60)))
                .endpointOverride(URI.create(endpoint))
                .region(Region.of("auto"))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(key, secret)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true)
                        .chunkedEncodingEnabled(true).build())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .addPlugin(LegacyMd5Plugin.create())
                .overrideConfiguration(ClientOverrideConfiguration.builder().retryPolicy(RetryPolicy.none())
                        .apiCallTimeout(Duration.ofSeconds(30)).build())
                .build();
    }

    record Entry(String key, String file, String contentType, String imageId) {
    }

    static void raw(S3AsyncClient s3, Path manifest, Path root, String bucket, int concurrency) throws Exception {
        List<Entry> entries = new ArrayList<>();
        for (String line : Files.readAllLines(manifest)) {
            String[] f = line.split("\t");
            entries.add(new Entry(f[0], f[1], f[3], f[4]));
        }
        Semaphore slots = new Semaphore(concurrency);
        AtomicLong bytes = new AtomicLong();
        AtomicInteger errors = new AtomicInteger();
        long cpu = cpuNanos();
        long start = System.nanoTime();
        for (Entry e : entries) {
            slots.acquire();
            byte[] data = Files.readAllBytes(root.resolve(e.file()));
            String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(data));
            String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
            s3.putObject(b -> b.bucket(bucket).key(e.key()).contentType(e.contentType())
                    .contentLength((long) data.length).contentMD5(md5).cacheControl(CACHE_CONTROL)
                    .metadata(Map.of("image-id", e.imageId(), "sha256", sha256)), AsyncRequestBody.fromBytes(data))
                    .whenComplete((r, t) -> {
                        if (t == null) {
                            bytes.addAndGet(data.length);
                        } else if (errors.incrementAndGet() <= 3) {
                            System.err.println("PUT " + e.key() + ": " + t);
                        }
                        slots.release();
                    });
        }
        if (!slots.tryAcquire(concurrency, 10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("uploads did not finish within 10 minutes");
        }
        report(entries.size() - errors.get(), bytes.get(), System.nanoTime() - start, cpuNanos() - cpu, errors.get());
    }

    record Row(String id, String persona, String data, String mime) {
    }

    static void seed(S3AsyncClient s3, String db, String bucket) throws Exception {
        long bytes = 0;
        int images = 0;
        int errors = 0;
        long cpu = cpuNanos();
        long start = System.nanoTime();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            String after = "";
            while (true) {
                List<Row> batch = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT id, persona_id, image_data, image_mime_type "
                        + "FROM images WHERE id > ? AND image_data IS NOT NULL AND image_data <> '' AND r2_key IS NULL "
                        + "AND migration_status = 'pending' ORDER BY id LIMIT 10")) {
                    ps.setString(1, after);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            batch.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
                        }
                    }
                }
                if (batch.isEmpty()) {
                    break;
                }
                after = batch.get(batch.size() - 1).id();
                for (int i = 0; i < batch.size(); i += 3) {
                    List<Row> slice = batch.subList(i, Math.min(batch.size(), i + 3));
                    List<CompletableFuture<String>> puts = new ArrayList<>();
                    for (Row row : slice) {
                        puts.add(upload(s3, bucket, row));
                    }
                    for (int j = 0; j < slice.size(); j++) {
                        Row row = slice.get(j);
                        String key;
                        try {
                            key = puts.get(j).join();
                        } catch (RuntimeException e) {
                            key = null;
                            if (++errors <= 3) {
                                System.err.println("image " + row.id() + ": " + e);
                            }
                        }
                        try (PreparedStatement ps = c.prepareStatement(key == null
                                ? "UPDATE images SET migration_status = 'failed' WHERE id = ?"
                                : "UPDATE images SET r2_key = ?, image_data = NULL, migration_status = 'completed', "
                                        + "migrated_at = strftime('%s','now') WHERE id = ?")) {
                            if (key == null) {
                                ps.setString(1, row.id());
                            } else {
                                ps.setString(1, key);
                                ps.setString(2, row.id());
                                images++;
                                bytes += decodedLength(row.data());
                            }
                            ps.executeUpdate();
                        }
                    }
                }
                Thread.sleep(100);
            }
        }
        report(images, bytes, System.nanoTime() - start, cpuNanos() - cpu, errors);
    }

    static CompletableFuture<String> upload(S3AsyncClient s3, String bucket, Row row) {
        byte[] data;
        try {
            String payload = row.data();
            if (payload.startsWith("data:")) {
                payload = payload.substring(payload.indexOf(',') + 1);
            }
            data = Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        String type = row.mime() == null ? "image/jpeg" : row.mime();
        String key = "images/" + row.persona() + "/" + row.id() + (type.equals("image/png") ? ".png" : ".jpg");
        return s3.putObject(b -> b.bucket(bucket).key(key).contentType(type).contentLength((long) data.length),
                AsyncRequestBody.fromBytes(data)).thenApply(r -> key);
    }

    static long decodedLength(String data) {
        String payload = data.startsWith("data:") ? data.substring(data.indexOf(',') + 1) : data;
        int pad = payload.endsWith("==") ? 2 : payload.endsWith("=") ? 1 : 0;
        return payload.length() / 4L * 3 - pad;
    }

    /** CPU time of this whole process (every thread, the JIT and GC included), as the service's is counted. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static void report(long images, long bytes, long nanos, long cpuNanos, int errors) {
        System.out.printf("{\"images\": %d, \"bytes\": %d, \"seconds\": %.3f, \"cpuSeconds\": %.3f, \"errors\": %d}%n",
                images, bytes, nanos / 1e9, cpuNanos / 1e9, errors);
    }
}
