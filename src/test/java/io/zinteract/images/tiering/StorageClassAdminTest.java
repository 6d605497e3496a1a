package io.zinteract.images.tiering;

import io.zinteract.images.support.Admin;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.Sha;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.RecordingS3ProxyResource;
import io.zinteract.images.support.profile.StorageProfiles;
import io.zinteract.images.support.server.S3TestProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /api/admin/storage-class}: old images move to another storage class in place, oldest first, a bounded
 * number per call. S3Proxy's filesystem backend keeps no storage class on a copy (its HEAD answers STANDARD), so what
 * is asserted is what can be seen: the copy requests on the wire carry the class, the row records it, and the object
 * keeps its bytes, type, cache header and metadata.
 */
@QuarkusTest
@TestProfile(StorageProfiles.Tiering.class)
class StorageClassAdminTest {

    S3TestProxy proxy;

    @BeforeEach
    void reset() {
        proxy = RecordingS3ProxyResource.freshProxy();
    }

    @Test
    void oldImagesMoveToInfrequentAccessInPlaceOldestFirstAndKeepEverythingElse() {
        byte[] pngA = TestImages.png(40, 40, 1);
        byte[] pngB = TestImages.png(40, 40, 2);
        String a = upload(pngA, 400);
        String b = upload(pngB, 380);
        String gone = upload(TestImages.png(40, 40, 3), 390);
        String fresh = upload(TestImages.png(40, 40, 4), 0);
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            bucket.delete(key(gone));
        }
        proxy.reset();

        retier(Map.of("olderThanDays", 365, "storageClass", "STANDARD_IA", "dryRun", true))
                .body("dryRun", equalTo(true)).body("matched", equalTo(3)).body("selected", equalTo(3))
                .body("changed", equalTo(0)).body("remaining", equalTo(3));
        assertTrue(proxy.requests().isEmpty(), "a dry run sends nothing to the store");
        assertEquals("STANDARD", storageClass(a));

        retier(Map.of("olderThanDays", 365, "storageClass", "STANDARD_IA", "limit", 1))
                .body("matched", equalTo(3)).body("selected", equalTo(1)).body("changed", equalTo(1))
                .body("remaining", equalTo(2));
        assertEquals("STANDARD_IA", storageClass(a), "the oldest goes first");
        assertEquals("STANDARD", storageClass(b));

        retier(Map.of("olderThanDays", 365, "storageClass", "standard_ia"))
                .body("matched", equalTo(2)).body("selected", equalTo(2)).body("changed", equalTo(1))
                .body("missing", equalTo(1)).body("failed", equalTo(0)).body("remaining", equalTo(1))
                .body("failures[0].id", equalTo(gone)).body("failures[0].reason", equalTo("object not found"));
        assertEquals("STANDARD_IA", storageClass(b));
        assertEquals("STANDARD", storageClass(gone), "a row whose object is gone keeps its class");
        assertEquals("STANDARD", storageClass(fresh), "a new image is not old enough");

        // On the wire: each move is a copy of the object onto its own key with the new class. S3Proxy refuses the
        // COPY directive on the same key, so the service repeats it with REPLACE and the object's own headers.
        for (String id : List.of(a, b)) {
            List<S3TestProxy.Request> copies = proxy.requests("CopyObject").stream()
                    .filter(r -> r.path().endsWith("/" + key(id))).toList();
            assertEquals(2, copies.size(), "COPY, then REPLACE: " + copies);
            assertEquals("COPY", copies.get(0).header("x-amz-metadata-directive"));
            assertEquals("REPLACE", copies.get(1).header("x-amz-metadata-directive"));
            for (S3TestProxy.Request copy : copies) {
                assertEquals("STANDARD_IA", copy.header("x-amz-storage-class"));
                assertTrue(copy.header("x-amz-copy-source").endsWith(key(id)), copy.header("x-amz-copy-source"));
            }
            assertEquals("image/png", copies.get(1).header("content-type"));
            assertEquals("public, max-age=31536000, immutable", copies.get(1).header("cache-control"));
        }
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            var object = bucket.get(key(a));
            assertArrayEquals(pngA, object.asByteArray());
            assertEquals("image/png", object.response().contentType());
            assertEquals("public, max-age=31536000, immutable", object.response().cacheControl());
            assertEquals(Sha.sha256(pngA), object.response().metadata().get("sha256"));
            assertEquals(a, object.response().metadata().get("image-id"));
        }
        assertArrayEquals(pngB, given().get("/api/images/" + b).then().statusCode(200).extract().asByteArray());
        given().get("/api/images/" + a + "/meta").then().body("storageClass", equalTo("STANDARD_IA"));

        retier(Map.of("olderThanDays", 365, "storageClass", "STANDARD_IA"))
                .body("matched", equalTo(1)).body("changed", equalTo(0)).body("missing", equalTo(1));
    }

    @Test
    void badRequestsAreRefusedWithAProblemAndChangeNothing() {
        upload(TestImages.png(20, 20, 9), 100);
        String before = Db.imagesFingerprint();
        given().contentType("application/json").body(Map.of("olderThanDays", 1, "storageClass", "STANDARD_IA"))
                .post("/api/admin/storage-class").then().statusCode(401).body("code", equalTo("UNAUTHORIZED"));
        record Case(Object body, String code, String detail) {
        }
        for (Case c : List.of(
                new Case(Map.of("storageClass", "STANDARD_IA"), "MISSING_FIELD", "olderThanDays"),
                new Case(Map.of("olderThanDays", 30), "MISSING_FIELD", "storageClass"),
                new Case(Map.of("olderThanDays", -1, "storageClass", "STANDARD_IA"), "INVALID_REQUEST", "olderThanDays"),
                new Case(Map.of("olderThanDays", 30, "storageClass", "GLACIER"), "INVALID_REQUEST", "STANDARD or STANDARD_IA"),
                new Case(Map.of("olderThanDays", 30, "storageClass", "STANDARD_IA", "limit", 0), "INVALID_REQUEST", "limit"),
                new Case(Map.of("olderThanDays", 30, "storageClass", "STANDARD_IA", "limit", 10_001), "INVALID_REQUEST", "limit"),
                new Case("{\"olderThanDays\": \"soon\", \"storageClass\": \"STANDARD_IA\"}", "MALFORMED_JSON", "JSON"),
                new Case("olderThanDays=30", "MALFORMED_JSON", "JSON"))) {
            given().header(Admin.auth()).contentType("application/json").body(c.body())
                    .post("/api/admin/storage-class")
                    .then().statusCode(400).contentType("application/problem+json")
                    .body("code", equalTo(c.code())).body("detail", containsString(c.detail()));
        }
        assertEquals(before, Db.imagesFingerprint());
        assertTrue(proxy.requests("CopyObject").isEmpty());
    }

    static io.restassured.response.ValidatableResponse retier(Map<String, Object> body) {
        return given().header(Admin.auth()).contentType("application/json").body(body)
                .post("/api/admin/storage-class").then().statusCode(200).contentType("application/json");
    }

    /** Uploads an image and makes it look {@code days} old, as a legacy row would be. */
    static String upload(byte[] png, int days) {
        String id = given().contentType("image/png").body(png).queryParam("personaId", "gen-t").queryParam("prompt", "p")
                .post("/api/images").then().statusCode(201).body("storage", equalTo("r2")).extract().path("id");
        try (var c = Db.openConfigured(); var ps = c.prepareStatement("UPDATE images SET created_at = ? WHERE id = ?")) {
            ps.setLong(1, Instant.now().minus(Duration.ofDays(days)).getEpochSecond());
            ps.setString(2, id);
            assertEquals(1, ps.executeUpdate());
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return id;
    }

    static String key(String id) {
        return (String) Db.rows("SELECT r2_key FROM images WHERE id = ?", id).get(0).get("r2_key");
    }

    static String storageClass(String id) {
        return (String) Db.rows("SELECT storage_class FROM images WHERE id = ?", id).get(0).get("storage_class");
    }
}
