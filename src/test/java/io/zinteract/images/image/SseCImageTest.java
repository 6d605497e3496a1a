package io.zinteract.images.image;

import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.storage.R2Urls;
import io.zinteract.images.support.Admin;
import io.zinteract.images.support.BigImages;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.Sha;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.RecordingS3ProxyResource;
import io.zinteract.images.support.profile.StorageProfiles;
import io.zinteract.images.support.server.S3TestProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * R2_SSE_C_KEY set. No local S3 server implements SSE-C (S3Proxy answers 501), so the recording proxy plays R2's part:
 * it demands algorithm, key and key MD5, signed, on every object call (a copy also for its source), records any call
 * without them as a violation, strips them and forwards to S3Proxy. What this proves: the service sends the right
 * headers on every call that needs them, and the images round-trip. What it cannot prove: that R2 encrypts with them.
 */
@QuarkusTest
@TestProfile(StorageProfiles.SseC.class)
class SseCImageTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    R2Storage storage;
    @Inject
    R2Urls urls;

    S3TestProxy proxy;

    @BeforeEach
    void reset() {
        proxy = RecordingS3ProxyResource.freshProxy();
    }

    @Test
    void everyObjectCallCarriesTheKeyAndImagesStreamBackThroughTheService() throws Exception {
        byte[] small = TestImages.png(200, 150, 7);
        byte[] large = BigImages.png(LargeImageTest.SIZE, 21);
        var one = given().contentType("image/png").body(small).queryParam("personaId", "gen-x").queryParam("prompt", "p")
                .post("/api/images").then().statusCode(201).body("storage", equalTo("r2")).extract().response();
        var many = given().multiPart("file", "big.png", large, "image/png").multiPart("personaId", "gen-z")
                .multiPart("prompt", "p").post("/api/images").then().statusCode(201)
                .body("sha256", equalTo(Sha.sha256(large))).extract().response();
        String smallId = one.path("id");
        String largeId = many.path("id");
        assertEquals(1, proxy.requests("PutObject").size());
        assertEquals(1, proxy.requests("CreateMultipartUpload").size());
        assertEquals(4, proxy.requests("UploadPart").size());
        assertEquals(1, proxy.requests("CompleteMultipartUpload").size());
        assertEquals(1, proxy.requests("HeadObject").size(), "one HEAD before the multipart upload");

        // Served by streaming although IMAGE_SERVE_MODE is redirect: a browser could not send the key to R2.
        assertArrayEquals(small, given().redirects().follow(false).get("/api/images/" + smallId).then().statusCode(200)
                .header("X-Image-Storage", "r2").contentType("image/png").extract().asByteArray());
        assertArrayEquals(large, given().redirects().follow(false).get("/api/images/" + largeId).then().statusCode(200)
                .header("Content-Length", String.valueOf(large.length)).extract().asByteArray());
        // Java's HttpClient believes Content-Length: the body must come with exactly that length and no chunk framing.
        HttpResponse<byte[]> plain = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port + "/api/images/" + largeId))
                        .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(Optional.of(String.valueOf(large.length)), plain.headers().firstValue("Content-Length"));
        assertEquals(Optional.empty(), plain.headers().firstValue("Transfer-Encoding"));
        assertArrayEquals(large, plain.body());
        assertArrayEquals(Arrays.copyOfRange(large, 6_000_000, 6_000_100), given().header("Range", "bytes=6000000-6000099")
                .get("/api/images/" + largeId).then().statusCode(206).extract().asByteArray());
        given().get("/api/images/" + largeId + "/meta").then().statusCode(200)
                .body("url", endsWith("/api/images/" + largeId));
        assertEquals(4, proxy.requests("GetObject").size());

        // HEAD and whole-object GET as the migration engine uses them; no presigned URL can carry the key.
        String smallKey = one.path("r2Key");
        assertEquals(small.length, storage.head(smallKey).await().atMost(WAIT).orElseThrow().size());
        assertArrayEquals(small, storage.getBytes(smallKey).await().atMost(WAIT).orElseThrow());
        assertFalse(storage.etagIsMd5(), "with SSE-C the ETag is not the MD5 of the bytes");
        assertThrows(IllegalStateException.class, () -> urls.presignGet(smallKey, Duration.ofMinutes(1)));

        given().header(Admin.auth()).delete("/api/images/" + smallId).then().statusCode(204);
        given().header(Admin.auth()).delete("/api/images/" + largeId).then().statusCode(204);
        assertEquals(2, proxy.requests("DeleteObject").size());

        assertEquals(List.of(), proxy.violations());
        long checked = proxy.requests().stream().filter(r -> S3TestProxy.SSE_C_OPERATIONS.contains(r.operation())).count();
        // The multipart upload cannot be conditional: one HEAD first proves its key holds no other image.
        assertEquals(1 + 1 + 1 + 4 + 1 + 4 + 1 + 1, checked,
                "PUT, HEAD before the multipart upload, create, 4 parts, complete, 4 streamed GETs, HEAD, GET");
        assertTrue(proxy.requests("DeleteObject").stream().allMatch(r -> r.header(
                "x-amz-server-side-encryption-customer-key") == null), "DELETE has no SSE-C in the S3 API: no key sent");
    }

    @Test
    void reTieringCopiesWithTheKeyForSourceAndTarget() {
        byte[] png = TestImages.png(64, 64, 8);
        var created = given().contentType("image/png").body(png).queryParam("personaId", "gen-a").queryParam("prompt", "p")
                .post("/api/images").then().statusCode(201).extract().response();
        String id = created.path("id");
        ageRow(id, 40);

        given().header(Admin.auth()).contentType("application/json")
                .body(Map.of("olderThanDays", 30, "storageClass", "STANDARD_IA", "limit", 10000))
                .post("/api/admin/storage-class").then().statusCode(200).body("failed", equalTo(0));

        // S3Proxy refuses the COPY directive onto the same key, so the copy is sent again with REPLACE after a HEAD:
        // all three carry the key (the copies for their source and their target).
        String key = created.path("r2Key");
        List<S3TestProxy.Request> copies = proxy.requests("CopyObject").stream().filter(r -> r.path().endsWith(key)).toList();
        assertEquals(2, copies.size());
        copies.forEach(copy -> assertEquals("STANDARD_IA", copy.header("x-amz-storage-class")));
        assertTrue(proxy.requests("HeadObject").stream().anyMatch(r -> r.path().endsWith(key)));
        assertEquals(List.of(), proxy.violations(), "the copy carries the key for its source and for its target");
        assertArrayEquals(png, given().get("/api/images/" + id).then().statusCode(200).extract().asByteArray());
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertArrayEquals(png, bucket.get(created.path("r2Key")).asByteArray());
        }
    }

    /** Makes an image look {@code days} old, as a legacy row would be. */
    static void ageRow(String id, int days) {
        try (var c = Db.openConfigured(); var ps = c.prepareStatement("UPDATE images SET created_at = ? WHERE id = ?")) {
            ps.setLong(1, java.time.Instant.now().minus(Duration.ofDays(days)).getEpochSecond());
            ps.setString(2, id);
            assertEquals(1, ps.executeUpdate());
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
