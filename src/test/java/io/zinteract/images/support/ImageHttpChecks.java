package io.zinteract.images.support;

import io.zinteract.images.support.profile.S3ProxyResource;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The HTTP checks issue 9 asks of every serve mode (base64 rows, R2 redirect, R2 proxy), shared so that each mode's
 * test class runs the very same assertions under its own profile.
 */
public final class ImageHttpChecks {

    public static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

    private ImageHttpChecks() {
    }

    public static ValidatableResponse safe(ValidatableResponse response) {
        return response.header("X-Content-Type-Options", "nosniff").header("Content-Security-Policy", CSP);
    }

    /** Each file raw and as multipart: 422 with its code, and not one row or object more than before. */
    public static void hostileUploadsAreRefused(Map<String, HostileImages.Case> cases) {
        long rows = Db.count("SELECT COUNT(*) FROM images");
        int objects = objectCount();
        for (HostileImages.Case c : cases.values()) {
            String raw = safe(given().contentType(c.mimeType()).body(c.bytes()).queryParam("personaId", "gen-z")
                    .queryParam("prompt", "hostile").post("/api/images").then())
                    .statusCode(422).contentType("application/problem+json").extract().path("code");
            assertEquals(c.code(), raw, c.name() + " (raw body)");
            String multipart = given().multiPart("file", "upload.bin", c.bytes(), c.mimeType()).multiPart("personaId", "gen-z")
                    .multiPart("prompt", "hostile").post("/api/images")
                    .then().statusCode(422).contentType("application/problem+json").extract().path("code");
            assertEquals(c.code(), multipart, c.name() + " (multipart)");
        }
        assertEquals(rows, Db.count("SELECT COUNT(*) FROM images"), "no row may be written");
        assertEquals(objects, objectCount(), "no object may be written");
    }

    public static int objectCount() {
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            return bucket.list("").size();
        }
    }

    /**
     * Ranges and conditional requests on an image served with its bytes (from the row or streamed from the bucket):
     * the same statuses and headers whichever storage holds it.
     */
    public static void rangesAndConditionals(String id, byte[] image, String storage) {
        String path = "/api/images/" + id;
        int n = image.length;
        String etag = "\"" + Sha.sha256(image) + "\"";
        assertArrayEquals(image, safe(given().get(path).then()).statusCode(200).header("ETag", etag)
                .header("X-Image-Storage", storage).header("Content-Length", String.valueOf(n))
                .extract().asByteArray());

        assertArrayEquals(Arrays.copyOfRange(image, 10, 20), safe(given().header("Range", "bytes=10-19").get(path).then())
                .statusCode(206).header("Content-Range", "bytes 10-19/" + n).header("ETag", etag).extract().asByteArray());
        assertArrayEquals(Arrays.copyOfRange(image, n - 5, n), safe(given().header("Range", "bytes=-5").get(path).then())
                .statusCode(206).header("Content-Range", "bytes " + (n - 5) + "-" + (n - 1) + "/" + n).extract().asByteArray());
        assertArrayEquals(Arrays.copyOfRange(image, n - 3, n), safe(given().header("Range", "bytes=" + (n - 3) + "-"
                + (n + 1000)).get(path).then()).statusCode(206).header("Content-Range", "bytes " + (n - 3) + "-" + (n - 1)
                + "/" + n).extract().asByteArray());

        for (String range : List.of("bytes=" + n + "-", "bytes=" + (n + 100) + "-" + (n + 200), "bytes=-0")) {
            ExtractableResponse<Response> refused = safe(given().header("Range", range).get(path).then())
                    .statusCode(416).contentType("application/problem+json").header("Content-Range", "bytes */" + n)
                    .body("code", equalTo("RANGE_NOT_SATISFIABLE")).body("contentRange", equalTo("bytes */" + n))
                    .extract();
            assertNull(refused.header("Retry-After"), range);
            assertNoInternalNames(refused.asString());
        }

        for (String ifNoneMatch : List.of(etag, "*", "\"other\", " + etag, "W/" + etag)) {
            byte[] body = safe(given().header("If-None-Match", ifNoneMatch).get(path).then()).statusCode(304)
                    .header("ETag", etag).header("X-Image-Storage", storage).extract().asByteArray();
            assertEquals(0, body.length, ifNoneMatch);
        }
        safe(given().header("If-None-Match", etag).header("Range", "bytes=" + (n + 5) + "-").get(path).then()).statusCode(304);
        assertArrayEquals(image, given().header("If-None-Match", "\"other\"").get(path).then().statusCode(200)
                .extract().asByteArray());

        // Client errors are not store failures: a burst of them must not open a circuit breaker.
        for (int i = 0; i < 30; i++) {
            given().header("Range", "bytes=" + (n + i) + "-").get(path).then().statusCode(416);
        }
        assertArrayEquals(image, given().get(path).then().statusCode(200).extract().asByteArray());
    }

    /** A problem detail must not name the bucket, the store's endpoint, or an object key. */
    public static void assertNoInternalNames(String body) {
        for (String internal : List.of(S3ProxyResource.BUCKET, "127.0.0.1", "localhost", "r2.cloudflarestorage")) {
            assertFalse(body.contains(internal), () -> "problem names " + internal + ": " + body);
        }
        assertFalse(java.util.regex.Pattern.compile("images/[A-Za-z0-9_-]+/[A-Za-z0-9_-]+\\.").matcher(body).find(),
                () -> "problem names an object key: " + body);
    }
}
