package io.zinteract.images.image;

import io.zinteract.images.support.Admin;
import io.zinteract.images.support.BigImages;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.profile.StorageProfiles;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Bounded memory, proven on the packaged application: started with a 96 MiB heap, it takes a 300 MiB image as a raw
 * body (spooled to disk, uploaded in 8 MiB parts) and streams it back, and both directions keep every byte (compared by
 * SHA-256; the test never holds the image in memory either). On the way back the test stops reading for a few seconds,
 * three times: a service that buffered ahead of a slow client (as it once did, 256 pieces deep) runs out of heap there.
 * The jar runs with {@code -XX:+ExitOnOutOfMemoryError}, as in production, so such a failure ends the test at once
 * instead of leaving a wedged process behind.
 *
 * <p>Quarkus starts the jar with {@code quarkus.test.arg-line}, which it reads once from the test JVM's system
 * properties (a profile or test resource cannot set it per class), so the pom runs this class alone in the failsafe
 * execution {@code small-heap} with {@code -Xmx96m}; anywhere else it is skipped.
 */
@QuarkusIntegrationTest
@TestProfile(StorageProfiles.SmallHeap.class)
class LargeImageHeapIT {

    static final long SIZE = 300L * 1024 * 1024 + 4_321;
    static final long HEAP_LIMIT = 96L * 1024 * 1024;
    static final long STALL_MILLIS = 3_000;

    @Test
    void anImageThreeTimesTheHeapStreamsToR2AndBack() throws Exception {
        assumeTrue(System.getProperty("quarkus.test.arg-line", "").contains("-Xmx96m"),
                "runs in the small-heap failsafe execution only");
        long heapMax = heapMaxBytes();
        assertTrue(heapMax > 0 && heapMax <= HEAP_LIMIT, "the application must run with a 96 MiB heap, has " + heapMax);

        Path file = Files.createTempFile(Path.of("target"), "large-image-", ".png");
        try {
            String sha256 = BigImages.writePng(file, SIZE, 300);
            URI base = URI.create(RestAssured.baseURI + ":" + RestAssured.port);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(
                    base.resolve("/api/images?personaId=gen-alpha&prompt=huge"))
                    .timeout(Duration.ofMinutes(3)).header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofFile(file)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, created.statusCode(), created.body());
            JsonPath json = JsonPath.from(created.body());
            assertEquals(sha256, json.getString("sha256"));
            assertEquals(SIZE, json.getLong("size"));
            assertEquals("r2", json.getString("storage"));
            String id = json.getString("id");

            try (BucketClient bucket = BucketClient.forCurrentProxy()) {
                var head = bucket.head(json.getString("r2Key")).orElseThrow();
                assertEquals(SIZE, head.contentLength());
                assertTrue(head.eTag().replace("\"", "").endsWith("-38"), "38 parts of 8 MiB: " + head.eTag());
                assertEquals(sha256, head.metadata().get("sha256"));
                assertEquals(sha256, bucket.sha256(json.getString("r2Key")), "the bucket holds exactly the uploaded bytes");
            }

            HttpResponse<InputStream> served = http.send(HttpRequest.newBuilder(base.resolve("/api/images/" + id))
                    .timeout(Duration.ofMinutes(1)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, served.statusCode());
            assertEquals(String.valueOf(SIZE), served.headers().firstValue("Content-Length").orElse(null));
            MessageDigest digest = BigImages.sha256();
            long read = 0;
            long nextPause = 1 << 20;
            try (InputStream in = served.body()) {
                byte[] buffer = new byte[1 << 20];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    digest.update(buffer, 0, n);
                    read += n;
                    if (read >= nextPause) {
                        // A client that stops reading: whatever the service buffers meanwhile must fit its heap.
                        Thread.sleep(STALL_MILLIS);
                        nextPause += 100L << 20;
                    }
                }
            }
            assertEquals(SIZE, read);
            assertEquals(sha256, HexFormat.of().formatHex(digest.digest()), "the image streams back unchanged");

            assertEquals(heapMax, heapMaxBytes(), "still the same small heap: the application did not restart");
            given().header(Admin.auth()).delete("/api/images/" + id).then().statusCode(204);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The heap limit as the application's own JVM metrics report it. */
    static long heapMaxBytes() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return (long) metrics.lines()
                .filter(l -> l.startsWith("jvm_memory_max_bytes{") && l.contains("area=\"heap\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .filter(v -> v > 0)
                .sum();
    }
}
