package io.zinteract.images.image;

import io.zinteract.images.support.BigImages;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.Sha;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.RecordingS3ProxyResource;
import io.zinteract.images.support.profile.S3ProxyResource;
import io.zinteract.images.support.profile.StorageProfiles;
import io.zinteract.images.support.server.S3TestProxy;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Images above MULTIPART_THRESHOLD (6 MiB here, parts of 5 MiB) go to R2 as multipart uploads, seen on the wire by the
 * recording proxy and checked in the bucket with an independent client. R2_IA_AFTER_DAYS=0 in this profile, so every
 * image, single PUT or multipart, is written as STANDARD_IA.
 */
@QuarkusTest
@TestProfile(StorageProfiles.LargeImages.class)
class LargeImageTest {

    /** Three full parts of 5 MiB and a last one of 2 MiB and a bit. */
    static final int SIZE = 17 * 1024 * 1024 + 12_345;
    static final int PART = (int) StorageProfiles.PART_SIZE;

    S3TestProxy proxy;

    @BeforeEach
    void reset() {
        proxy = RecordingS3ProxyResource.freshProxy();
    }

    @Test
    void aRawBodyAboveTheThresholdGoesUpInEqualPartsWithTheirMd5AndRoundTrips() throws Exception {
        byte[] image = BigImages.png(SIZE, 17);
        var created = given().contentType("image/png").body(image).queryParam("personaId", "gen-z")
                .queryParam("prompt", "a big one").post("/api/images")
                .then().statusCode(201).body("storage", equalTo("r2")).body("size", equalTo(SIZE))
                .body("sha256", equalTo(Sha.sha256(image))).body("contentType", equalTo("image/png"))
                .extract().response();
        String id = created.path("id");
        String key = created.path("r2Key");

        // On the wire: one create (with type, class and the image's SHA-256), 4 parts, one complete, no single PUT.
        var create = single(proxy.requests("CreateMultipartUpload"));
        assertEquals("STANDARD_IA", create.header("x-amz-storage-class"));
        assertEquals("image/png", create.header("content-type"));
        assertEquals(Sha.sha256(image), create.header("x-amz-meta-sha256"));
        List<S3TestProxy.Request> parts = proxy.requests("UploadPart");
        assertEquals(4, parts.size());
        for (int n = 1; n <= 4; n++) {
            S3TestProxy.Request part = parts.get(n - 1);
            byte[] expected = Arrays.copyOfRange(image, (n - 1) * PART, Math.min(n * PART, SIZE));
            assertEquals(Integer.toString(n), part.query().get("partNumber"));
            assertEquals(md5Base64(expected), part.header("content-md5"), "Content-MD5 of part " + n);
            assertEquals(Integer.toString(expected.length), decodedLength(part), "size of part " + n);
        }
        single(proxy.requests("CompleteMultipartUpload"));
        assertTrue(proxy.requests("PutObject").isEmpty());

        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            var object = bucket.get(key);
            assertArrayEquals(image, object.asByteArray(), "the bucket holds exactly the uploaded bytes");
            assertTrue(object.response().eTag().replace("\"", "").endsWith("-4"),
                    "a multipart object's ETag ends with its part count: " + object.response().eTag());
            assertEquals("image/png", object.response().contentType());
            assertEquals(Sha.sha256(image), object.response().metadata().get("sha256"));
            assertEquals(id, object.response().metadata().get("image-id"));
        }
        Map<String, Object> row = Db.rows("SELECT r2_key, size_bytes, sha256, storage_class, migration_status, image_data "
                + "FROM images WHERE id = ?", id).get(0);
        assertEquals(key, row.get("r2_key"));
        assertEquals(SIZE, ((Number) row.get("size_bytes")).intValue());
        assertEquals(Sha.sha256(image), row.get("sha256"));
        assertEquals("STANDARD_IA", row.get("storage_class"));
        assertEquals("completed", row.get("migration_status"));
        assertEquals(null, row.get("image_data"));

        // Read back through the API: a redirect to a presigned URL, followed by the client.
        assertArrayEquals(image, given().get("/api/images/" + id).then().statusCode(200).extract().asByteArray());
    }

    @Test
    void aMultipartFormAboveTheThresholdIsUploadedFromTheSpooledFile() {
        byte[] image = BigImages.png(SIZE, 18);
        var created = given().multiPart("file", "big.png", image, "image/png").multiPart("personaId", "gen-x")
                .multiPart("prompt", "form upload").post("/api/images")
                .then().statusCode(201).body("storage", equalTo("r2")).body("sha256", equalTo(Sha.sha256(image)))
                .extract().response();
        assertEquals(4, proxy.requests("UploadPart").size());
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            var object = bucket.get(created.path("r2Key"));
            assertArrayEquals(image, object.asByteArray());
            assertTrue(object.response().eTag().replace("\"", "").endsWith("-4"), object.response().eTag());
        }
    }

    @Test
    void imagesUpToTheThresholdStillGoUpInOnePutWithTheirStorageClass() {
        byte[] png = TestImages.png(120, 80, 5);
        String key = given().contentType("image/png").body(png).queryParam("personaId", "gen-x").queryParam("prompt", "p")
                .post("/api/images").then().statusCode(201).extract().path("r2Key");
        var put = single(proxy.requests("PutObject"));
        assertEquals("STANDARD_IA", put.header("x-amz-storage-class"), "R2_IA_AFTER_DAYS=0 applies to new uploads");
        assertEquals(md5Base64(png), put.header("content-md5"));
        assertTrue(proxy.requests("CreateMultipartUpload").isEmpty());
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertArrayEquals(png, bucket.get(key).asByteArray());
        }
    }

    /** A large upload is checked from its spooled file, before any part is sent: a polyglot starts no upload. */
    @Test
    void aLargePolyglotIsRefusedFromItsFileBeforeAnyPartIsSent() {
        byte[] image = io.zinteract.images.support.HostileImages.concat(BigImages.png(SIZE, 22),
                io.zinteract.images.support.HostileImages.html());
        String before = Db.imagesFingerprint();
        given().contentType("image/png").body(image).queryParam("personaId", "gen-poly").queryParam("prompt", "p")
                .post("/api/images")
                .then().statusCode(422).contentType("application/problem+json").body("code", equalTo("IMAGE_TRAILING_DATA"));
        assertEquals(before, Db.imagesFingerprint(), "no row may be written");
        assertTrue(proxy.requests("CreateMultipartUpload").isEmpty(), "no multipart upload may start");
        assertTrue(proxy.requests("PutObject").isEmpty(), "no object may be written");
    }

    @Test
    void aPartTheStoreKeepsRefusingAbortsTheUploadAndStoresNothing() {
        byte[] image = BigImages.png(SIZE, 19);
        String before = Db.imagesFingerprint();
        proxy.rule(r -> r.operation().equals("UploadPart") && "2".equals(r.query().get("partNumber"))
                ? S3TestProxy.Action.FAIL : S3TestProxy.Action.FORWARD);

        given().contentType("image/png").body(image).queryParam("personaId", "gen-fail").queryParam("prompt", "p")
                .post("/api/images")
                .then().statusCode(503).contentType("application/problem+json").header("Retry-After", "10")
                .body("code", equalTo("STORAGE_UNAVAILABLE"));

        assertEquals(before, Db.imagesFingerprint(), "no row may be written");
        assertEquals(5, proxy.requests("UploadPart").stream().filter(r -> "2".equals(r.query().get("partNumber"))).count(),
                "part 2 is tried once and retried 4 times");
        assertTrue(proxy.requests("UploadPart").stream().noneMatch(r -> "3".equals(r.query().get("partNumber"))),
                "no part after the failed one is sent");
        single(proxy.requests("CreateMultipartUpload"));
        String uploadId = proxy.requests("UploadPart").get(0).query().get("uploadId");
        var abort = single(proxy.requests("AbortMultipartUpload"));
        assertEquals(uploadId, abort.query().get("uploadId"), "the upload that failed is the one aborted");
        assertTrue(proxy.requests("CompleteMultipartUpload").isEmpty());
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertTrue(bucket.list("images/gen-fail/").isEmpty(), "no object");
            assertTrue(bucket.unfinishedUploads("images/gen-fail/").isEmpty(), "no parts left behind");
        }
    }

    @Test
    void aStoreThatDiesBetweenPartsLeavesNoObjectNoCompletedUploadAndNoRow() {
        byte[] image = BigImages.png(SIZE, 20);
        String before = Db.imagesFingerprint();
        AtomicBoolean stopped = new AtomicBoolean();
        proxy.rule(r -> {
            if (r.operation().equals("UploadPart") && "2".equals(r.query().get("partNumber"))
                    && stopped.compareAndSet(false, true)) {
                S3ProxyResource.current().stop();
            }
            return S3TestProxy.Action.FORWARD;
        });
        try {
            given().contentType("image/png").body(image).queryParam("personaId", "gen-dead").queryParam("prompt", "p")
                    .post("/api/images")
                    .then().statusCode(503).contentType("application/problem+json")
                    .body("code", equalTo("STORAGE_UNAVAILABLE"));
        } finally {
            S3ProxyResource.current().start();
        }
        assertTrue(stopped.get());
        assertEquals(before, Db.imagesFingerprint(), "no row may be written");
        assertTrue(proxy.requests("CompleteMultipartUpload").isEmpty(), "the upload was never completed");
        assertTrue(proxy.requests("AbortMultipartUpload").size() >= 1, "an abort was attempted");
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertTrue(bucket.list("images/gen-dead/").isEmpty(), "no object");
            // The abort could not reach a dead store: the parts stay until R2 drops unfinished uploads (7 days).
            assertEquals(1, bucket.unfinishedUploads("images/gen-dead/").size());
        }
        // The store is back: the next large upload goes through.
        proxy.reset();
        given().contentType("image/png").body(image).queryParam("personaId", "gen-dead").queryParam("prompt", "p")
                .post("/api/images").then().statusCode(201).body("storage", equalTo("r2"));
    }

    static S3TestProxy.Request single(List<S3TestProxy.Request> seen) {
        assertEquals(1, seen.size(), () -> "expected one request, saw " + seen);
        return seen.get(0);
    }

    /** The part's byte count: aws-chunked bodies declare it apart from the framed Content-Length. */
    static String decodedLength(S3TestProxy.Request r) {
        String decoded = r.header("x-amz-decoded-content-length");
        return decoded != null ? decoded : r.header("content-length");
    }

    static String md5Base64(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
