package io.zinteract.images.upload;

import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.Sha;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.Profiles;
import io.zinteract.images.support.profile.S3ProxyResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Presigned uploads against a real S3Proxy: the client PUTs with a plain HTTP client to the URL it was given, and
 * only a completion that verified the object writes a row.
 */
@QuarkusTest
@TestProfile(Profiles.R2Storage.class)
class PresignedUploadTest {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    static JsonPath requestUpload(String contentType, long size, String... extra) {
        Map<String, Object> body = new HashMap<>(Map.of("personaId", "gen-z", "prompt", "a skateboard at dusk",
                "contentType", contentType, "size", size, "sessionId", "s-7"));
        for (int i = 0; i < extra.length; i += 2) {
            body.put(extra[i], extra[i + 1]);
        }
        return given().contentType(ContentType.JSON).body(body).post("/api/images/uploads")
                .then().statusCode(201).contentType(ContentType.JSON).extract().jsonPath();
    }

    /** PUTs as a browser or a script would: the URL as given, the signed headers, the bytes. */
    static HttpResponse<String> put(JsonPath ticket, byte[] bytes, Map<String, String> headerOverrides) throws Exception {
        Map<String, String> headers = new HashMap<>(ticket.getMap("headers"));
        headers.remove("Content-Length"); // the HTTP client sets it from the body, as browsers do
        headers.putAll(headerOverrides);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(ticket.getString("url")))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).timeout(Duration.ofSeconds(30));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static io.restassured.response.ValidatableResponse complete(String uploadId) {
        return given().post("/api/images/uploads/" + uploadId + "/complete").then();
    }

    static long imageRows(String imageId) {
        return Db.count("SELECT COUNT(*) FROM images WHERE id = ?", imageId);
    }

    /** Issue 9.7: a completion killed after writing the row left its staging object; the next completion deletes it. */
    @Test
    void aStagingObjectLeftByACompletionThatDiedIsDeletedByTheNextCompletion() throws Exception {
        byte[] png = TestImages.png(30, 20, 12);
        JsonPath ticket = requestUpload("image/png", png.length);
        String uploadId = ticket.getString("uploadId");
        assertEquals(200, put(ticket, png, Map.of()).statusCode());
        complete(uploadId).statusCode(201);
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertTrue(bucket.head("uploads/" + uploadId).isEmpty(), "the staging object is gone");
            bucket.put("uploads/" + uploadId, png, "image/png"); // as left by a completion killed before its delete
            complete(uploadId).statusCode(200).body("id", equalTo(ticket.getString("imageId")));
            assertTrue(bucket.head("uploads/" + uploadId).isEmpty(), "the retried completion deleted it");
            assertArrayEquals(png, bucket.get(ticket.getString("key")).asByteArray());
        }
    }

    /** Issue 9.1: an object of another image already at the upload's key is never overwritten. */
    @Test
    void aCompletionNeverOverwritesAnotherObjectAtTheImageKey() throws Exception {
        byte[] png = TestImages.png(31, 21, 13);
        byte[] other = TestImages.png(32, 22, 14);
        JsonPath ticket = requestUpload("image/png", png.length);
        String uploadId = ticket.getString("uploadId");
        assertEquals(200, put(ticket, png, Map.of()).statusCode());
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            bucket.put(ticket.getString("key"), other, "image/png");
            complete(uploadId).statusCode(409).contentType("application/problem+json")
                    .body("code", equalTo("OBJECT_KEY_CONFLICT"));
            assertArrayEquals(other, bucket.get(ticket.getString("key")).asByteArray(), "the other object is intact");
            assertEquals(0, imageRows(ticket.getString("imageId")));
            bucket.delete(ticket.getString("key"));
        }
        complete(uploadId).statusCode(201); // the upload was given back, and completes once the key is free
    }

    @Test
    void putThenCompleteCreatesAVerifiedRowAndTheImageReadsBackIdentical() throws Exception {
        byte[] png = TestImages.png(80, 60, 11);
        JsonPath ticket = requestUpload("image/png", png.length);
        String uploadId = ticket.getString("uploadId");
        String imageId = ticket.getString("imageId");
        assertEquals("images/gen-z/" + imageId + ".png", ticket.getString("key"));
        assertEquals("PUT", ticket.getString("method"));
        assertEquals(Map.of("Content-Type", "image/png", "Content-Length", Integer.toString(png.length)),
                ticket.getMap("headers"));
        assertTrue(ticket.getString("url").startsWith(S3ProxyResource.current().endpoint() + "/"), "R2's own endpoint");
        assertTrue(ticket.getString("url").contains("X-Amz-Expires=900"), "PRESIGNED_UPLOAD_TTL defaults to 15 minutes");
        long expiresIn = Instant.parse(ticket.getString("expiresAt")).getEpochSecond() - Instant.now().getEpochSecond();
        assertTrue(expiresIn > 890 && expiresIn <= 900, "expiresAt is 15 minutes ahead, was " + expiresIn);
        assertTrue(ticket.getString("completeUrl").endsWith("/api/images/uploads/" + uploadId + "/complete"));
        assertEquals(0, imageRows(imageId), "no row before the object is verified");
        given().get("/api/images/uploads/" + uploadId).then().statusCode(200).body("status", equalTo("pending"));

        HttpResponse<String> stored = put(ticket, png, Map.of());
        assertEquals(200, stored.statusCode(), stored.body());

        String sha = Sha.sha256(png);
        complete(uploadId).statusCode(201).header("Location", endsWith("/api/images/" + imageId))
                .header("X-Image-Storage", "r2")
                .body("id", equalTo(imageId)).body("storage", equalTo("r2")).body("sha256", equalTo(sha))
                .body("size", equalTo(png.length)).body("contentType", equalTo("image/png"))
                .body("r2Key", equalTo("images/gen-z/" + imageId + ".png")).body("fallback", equalTo(false))
                .body("url", endsWith("/api/images/" + imageId));

        var row = Db.rows("SELECT * FROM images WHERE id = ?", imageId).get(0);
        assertEquals("images/gen-z/" + imageId + ".png", row.get("r2_key"));
        assertEquals(sha, row.get("sha256"));
        assertEquals((long) png.length, ((Number) row.get("size_bytes")).longValue());
        assertEquals("image/png", row.get("content_type"));
        assertEquals("completed", row.get("migration_status"));
        assertEquals("completed", row.get("status"));
        assertEquals("gen-z", row.get("persona_id"));
        assertEquals("s-7", row.get("session_id"));
        assertEquals("a skateboard at dusk", row.get("prompt"));
        assertNull(row.get("image_data"));

        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            var object = bucket.get("images/gen-z/" + imageId + ".png");
            assertArrayEquals(png, object.asByteArray());
            assertEquals("image/png", object.response().contentType());
            assertEquals("public, max-age=31536000, immutable", object.response().cacheControl());
            assertEquals(imageId, object.response().metadata().get("image-id"));
            assertEquals(sha, object.response().metadata().get("sha256"));
            assertTrue(bucket.head("uploads/" + uploadId).isEmpty(), "the staging object is gone");
        }
        byte[] served = given().get("/api/images/" + imageId).then().statusCode(200).extract().asByteArray();
        assertArrayEquals(png, served, "GET /api/images/{id} (redirect to a presigned GET) gives the same bytes");

        // A retried completion (the first answer was lost) gets the same image, and no second row.
        complete(uploadId).statusCode(200).body("id", equalTo(imageId)).body("sha256", equalTo(sha))
                .header("Location", endsWith("/api/images/" + imageId));
        assertEquals(1, imageRows(imageId));
        given().get("/api/images/uploads/" + uploadId).then().statusCode(200).body("status", equalTo("completed"));
    }

    @Test
    void concurrentCompletionsWriteOneRow() throws Exception {
        byte[] png = TestImages.png(120, 90, 16);
        JsonPath ticket = requestUpload("image/png", png.length);
        assertEquals(200, put(ticket, png, Map.of()).statusCode());
        String uploadId = ticket.getString("uploadId");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Integer>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(pool.submit(() -> given().post("/api/images/uploads/" + uploadId + "/complete")
                        .then().extract().statusCode()));
            }
            List<Integer> statuses = new java.util.ArrayList<>();
            for (var answer : answers) {
                statuses.add(answer.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertEquals(1, statuses.stream().filter(s -> s == 201).count(), "exactly one creates: " + statuses);
            assertTrue(statuses.stream().allMatch(s -> s == 201 || s == 200 || s == 409), statuses.toString());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, imageRows(ticket.getString("imageId")));
        complete(uploadId).statusCode(200);
    }

    @Test
    void theStoreRefusesAPutWithAnotherContentTypeLengthOrBody() throws Exception {
        byte[] png = TestImages.png(40, 40, 12);
        String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(png));
        JsonPath ticket = requestUpload("image/png", png.length, "contentMd5", md5);
        assertEquals(md5, ticket.getString("headers.Content-MD5"), "the MD5 is signed too");

        // S3Proxy checks SigV4 like R2: a header that differs from the signed one breaks the signature (403).
        HttpResponse<String> otherType = put(ticket, png, Map.of("Content-Type", "image/jpeg"));
        assertEquals(403, otherType.statusCode(), otherType.body());
        assertTrue(otherType.body().contains("SignatureDoesNotMatch"), otherType.body());
        byte[] longer = java.util.Arrays.copyOf(png, png.length + 10);
        HttpResponse<String> otherLength = put(ticket, longer, Map.of());
        assertEquals(403, otherLength.statusCode(), otherLength.body());
        assertTrue(otherLength.body().contains("SignatureDoesNotMatch"), otherLength.body());
        // Same length and headers, other bytes: the signed Content-MD5 no longer matches the body.
        byte[] tampered = png.clone();
        tampered[tampered.length - 1] ^= 0x55;
        HttpResponse<String> otherBody = put(ticket, tampered, Map.of());
        assertEquals(400, otherBody.statusCode(), otherBody.body());
        assertTrue(otherBody.body().contains("BadDigest"), otherBody.body());

        String uploadId = ticket.getString("uploadId");
        complete(uploadId).statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("UPLOAD_OBJECT_MISSING"));
        assertEquals(200, put(ticket, png, Map.of()).statusCode(), "the URL still works for the declared bytes");
        complete(uploadId).statusCode(201).body("sha256", equalTo(Sha.sha256(png)));
    }

    @Test
    void completingBeforeAnythingWasUploadedIs409AndTheUploadStaysOpen() {
        JsonPath ticket = requestUpload("image/jpeg", 1234);
        String uploadId = ticket.getString("uploadId");
        complete(uploadId).statusCode(409).contentType("application/problem+json")
                .body("code", equalTo("UPLOAD_OBJECT_MISSING")).body("uploadId", equalTo(uploadId));
        given().get("/api/images/uploads/" + uploadId).then().statusCode(200).body("status", equalTo("pending"));
        assertEquals(0, imageRows(ticket.getString("imageId")));
    }

    /** Completing verifies the structure as an upload through the service would: each file its code, nothing kept. */
    @Test
    void hostileObjectsAreRejectedWithTheirCodeDeletedAndLeaveNoRow() throws Exception {
        for (io.zinteract.images.support.HostileImages.Case c : io.zinteract.images.support.HostileImages.quoted().values()) {
            JsonPath ticket = requestUpload(c.mimeType(), c.bytes().length);
            String uploadId = ticket.getString("uploadId");
            assertEquals(200, put(ticket, c.bytes(), Map.of()).statusCode(), c.name());
            String before = Db.imagesFingerprint();
            complete(uploadId).statusCode(422).contentType("application/problem+json").body("code", equalTo(c.code()));
            assertEquals(before, Db.imagesFingerprint(), c.name() + ": no row");
            try (BucketClient bucket = BucketClient.forCurrentProxy()) {
                assertTrue(bucket.head("uploads/" + uploadId).isEmpty(), c.name() + ": the object is deleted");
                assertTrue(bucket.head(ticket.getString("key")).isEmpty(), c.name() + ": nothing under the image's key");
            }
        }
    }

    @Test
    void anObjectOfAnotherTypeIsRejectedDeletedAndLeavesNoRow() throws Exception {
        byte[] jpeg = TestImages.jpeg(30, 30, 13);
        // Declared PNG, signed for image/png, but the bytes are a JPEG: the store cannot tell, we can.
        JsonPath ticket = requestUpload("image/png", jpeg.length);
        String uploadId = ticket.getString("uploadId");
        assertEquals(200, put(ticket, jpeg, Map.of()).statusCode());
        String before = Db.imagesFingerprint();
        complete(uploadId).statusCode(422).contentType("application/problem+json")
                .body("code", equalTo("UPLOAD_TYPE_MISMATCH")).body("declaredType", equalTo("image/png"))
                .body("actualType", equalTo("image/jpeg"));
        assertEquals(before, Db.imagesFingerprint(), "no row");
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertTrue(bucket.head("uploads/" + uploadId).isEmpty(), "the bad object is deleted");
            assertTrue(bucket.head(ticket.getString("key")).isEmpty(), "nothing under the image's key");
        }
        given().get("/api/images/uploads/" + uploadId).then().statusCode(200).body("status", equalTo("rejected"))
                .body("reason", containsString("UPLOAD_TYPE_MISMATCH"));
        complete(uploadId).statusCode(409).body("code", equalTo("UPLOAD_REJECTED"));
    }

    @Test
    void bytesThatAreNoImageAreRejected() throws Exception {
        byte[] text = "<html><script>alert(1)</script></html>".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        JsonPath ticket = requestUpload("image/gif", text.length);
        assertEquals(200, put(ticket, text, Map.of()).statusCode());
        complete(ticket.getString("uploadId")).statusCode(422).body("code", equalTo("UPLOAD_NOT_AN_IMAGE"));
        assertEquals(0, imageRows(ticket.getString("imageId")));
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertTrue(bucket.head("uploads/" + ticket.getString("uploadId")).isEmpty());
        }
    }

    @Test
    void anObjectOfAnotherSizeIsRejectedEvenIfTheStoreLetItThrough() {
        // A store that did not enforce the signed length is played by writing the staging key directly.
        byte[] png = TestImages.png(20, 20, 14);
        JsonPath ticket = requestUpload("image/png", png.length + 100);
        String uploadId = ticket.getString("uploadId");
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            bucket.put("uploads/" + uploadId, png, "image/png");
            complete(uploadId).statusCode(422).body("code", equalTo("UPLOAD_SIZE_MISMATCH"))
                    .body("declaredSize", equalTo(png.length + 100)).body("actualSize", equalTo(png.length));
            assertTrue(bucket.head("uploads/" + uploadId).isEmpty());
        }
        assertEquals(0, imageRows(ticket.getString("imageId")));
    }

    @Test
    void anExpiredUploadIsRefusedWith410AndItsObjectDeleted() throws Exception {
        byte[] png = TestImages.png(20, 20, 15);
        JsonPath ticket = requestUpload("image/png", png.length);
        String uploadId = ticket.getString("uploadId");
        assertEquals(200, put(ticket, png, Map.of()).statusCode());
        // Expired an hour ago, well past the 10-minute grace.
        try (var c = Db.openConfigured();
                PreparedStatement ps = c.prepareStatement("UPDATE pending_uploads SET expires_at = ? WHERE id = ?")) {
            ps.setLong(1, Instant.now().getEpochSecond() - 3600);
            ps.setString(2, uploadId);
            assertEquals(1, ps.executeUpdate());
        }
        complete(uploadId).statusCode(410).contentType("application/problem+json")
                .body("code", equalTo("UPLOAD_EXPIRED"));
        assertEquals(0, imageRows(ticket.getString("imageId")));
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertTrue(bucket.head("uploads/" + uploadId).isEmpty());
        }
        given().get("/api/images/uploads/" + uploadId).then().body("status", equalTo("expired"));
        complete(uploadId).statusCode(410);
    }

    @Test
    void badRequestsAreRefusedAndRecordNothing() {
        long before = Db.count("SELECT COUNT(*) FROM pending_uploads");
        Object[][] cases = {
                { Map.of("personaId", "gen-z", "prompt", "p", "contentType", "image/png"), 400, "MISSING_FIELD" },
                { Map.of("personaId", "gen-z", "prompt", "p", "contentType", "image/png", "size", 0), 400, "INVALID_REQUEST" },
                { Map.of("personaId", "gen-z", "prompt", "p", "contentType", "image/png", "size", 26214401), 413, "PAYLOAD_TOO_LARGE" },
                { Map.of("personaId", "gen-z", "prompt", "p", "contentType", "text/html", "size", 10), 415, "NOT_AN_IMAGE" },
                { Map.of("personaId", "gen-z", "prompt", "p", "contentType", "image/bmp", "size", 10), 415, "UNSUPPORTED_MEDIA_TYPE" },
                { Map.of("personaId", "gen-z", "prompt", "p", "size", 10), 400, "MISSING_FIELD" },
                { Map.of("personaId", "../x", "prompt", "p", "contentType", "image/png", "size", 10), 400, "INVALID_ID" },
                { Map.of("personaId", "gen-z", "contentType", "image/png", "size", 10), 400, "MISSING_FIELD" },
                { Map.of("personaId", "gen-z", "prompt", "p", "contentType", "image/png", "size", 10, "contentMd5", "abc"), 400, "INVALID_REQUEST" },
        };
        for (Object[] c : cases) {
            given().contentType(ContentType.JSON).body(c[0]).post("/api/images/uploads").then()
                    .statusCode((Integer) c[1]).contentType("application/problem+json").body("code", equalTo(c[2]));
        }
        given().contentType(ContentType.JSON).body("{\"personaId\": ").post("/api/images/uploads").then()
                .statusCode(400).body("code", equalTo("MALFORMED_JSON"));
        given().contentType(ContentType.JSON).body("{\"size\": \"many\"}").post("/api/images/uploads").then()
                .statusCode(400).body("code", equalTo("MALFORMED_JSON"));
        assertEquals(before, Db.count("SELECT COUNT(*) FROM pending_uploads"));
        complete("00000000-0000-0000-0000-000000000000").statusCode(404).body("code", equalTo("UPLOAD_NOT_FOUND"));
        complete("bad.id").statusCode(400).body("code", equalTo("INVALID_ID"));
    }
}
