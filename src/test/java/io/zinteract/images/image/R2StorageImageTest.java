package io.zinteract.images.image;

import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.HostileImages;
import io.zinteract.images.support.ImageHttpChecks;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.Profiles;
import io.zinteract.images.support.profile.S3ProxyResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ENABLE_R2_STORAGE=true: the bytes go to the bucket, the row keeps metadata and the key, and reads redirect. */
@QuarkusTest
@TestProfile(Profiles.R2Storage.class)
class R2StorageImageTest {

    @Test
    void multipartUploadLandsInTheBucketWithMetadataAndRedirectsToPresignedUrl() throws Exception {
        byte[] png = TestImages.png(64, 48, 1);
        Response created = given().multiPart("file", "face.png", png, "image/png")
                .multiPart("personaId", "gen-x").multiPart("prompt", "a portrait").multiPart("sessionId", "s1")
                .when().post("/api/images")
                .then().statusCode(201).header("X-Image-Storage", "r2")
                .body("storage", equalTo("r2")).body("contentType", equalTo("image/png"))
                .body("size", equalTo(png.length)).body("sha256", equalTo(sha256(png)))
                .extract().response();
        String id = created.path("id");
        String key = created.path("r2Key");
        assertEquals("images/gen-x/" + id + ".png", key);
        assertTrue(created.header("Location").endsWith("/api/images/" + id));

        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            var object = bucket.get(key);
            assertArrayEquals(png, object.asByteArray());
            assertEquals("image/png", object.response().contentType());
            assertEquals("public, max-age=31536000, immutable", object.response().cacheControl());
            assertEquals(id, object.response().metadata().get("image-id"));
            assertEquals("gen-x", object.response().metadata().get("persona-id"));
            assertEquals(sha256(png), object.response().metadata().get("sha256"));
        }

        String location = given().redirects().follow(false).when().get("/api/images/" + id)
                .then().statusCode(302).header("X-Image-Storage", "r2")
                .header("Location", startsWith("http://127.0.0.1:"))
                .extract().header("Location");
        HttpResponse<byte[]> fetched = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(location)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, fetched.statusCode());
        assertArrayEquals(png, fetched.body());

        given().when().get("/api/images/" + id + "/meta").then().statusCode(200)
                .body("storage", equalTo("r2")).body("r2Key", equalTo(key)).body("size", equalTo(png.length))
                .body("migrationStatus", equalTo("completed"));
    }

    @Test
    void uploadFallsBackToBase64WhenR2IsDownAndSaysSo() {
        byte[] png = TestImages.png(24, 24, 77);
        double before = fallbackCount();
        S3ProxyResource.current().stop();
        String id;
        try {
            id = given().contentType("image/png").body(png).queryParam("personaId", "gen-x").queryParam("prompt", "p")
                    .when().post("/api/images")
                    .then().statusCode(201).header("X-Image-Storage", "base64")
                    .body("storage", equalTo("base64")).body("fallback", equalTo(true)).body("r2Key", nullValue())
                    .extract().path("id");
        } finally {
            S3ProxyResource.current().start();
        }
        assertEquals(before + 1, fallbackCount(), 0.0001);
        var row = Db.rows("SELECT image_data, r2_key, migration_status FROM images WHERE id = ?", id).get(0);
        assertArrayEquals(png, java.util.Base64.getDecoder().decode((String) row.get("image_data")));
        assertNull(row.get("r2_key"));
        assertEquals("pending", row.get("migration_status"), "a fallback row waits for the migration like legacy rows");
        assertArrayEquals(png, given().get("/api/images/" + id).then().statusCode(200)
                .header("X-Image-Storage", "base64").extract().asByteArray());
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertTrue(bucket.list("images/gen-x/" + id).isEmpty(), "no object may be left behind");
        }
    }

    private static double fallbackCount() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines()
                .filter(l -> l.startsWith("images_stored_total{") && l.contains("fallback=\"true\"")
                        && l.contains("storage=\"base64\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void hostileFilesAreRefusedWithTheirCodeAndNothingIsStored() {
        ImageHttpChecks.hostileUploadsAreRefused(HostileImages.quoted());
    }

    /** Redirect mode answers a matching If-None-Match itself (304, same ETag as every mode), else redirects. */
    @Test
    void conditionalRequestsAre304BeforeTheRedirect() throws Exception {
        byte[] png = TestImages.png(24, 24, 80);
        String id = given().contentType("image/png").body(png).queryParam("personaId", "gen-z").queryParam("prompt", "x")
                .post("/api/images").then().statusCode(201).extract().path("id");
        String etag = "\"" + sha256(png) + "\"";
        for (String ifNoneMatch : java.util.List.of(etag, "*", "W/" + etag, "\"x\", " + etag)) {
            ImageHttpChecks.safe(given().redirects().follow(false).header("If-None-Match", ifNoneMatch)
                    .get("/api/images/" + id).then()).statusCode(304).header("ETag", etag).header("X-Image-Storage", "r2");
        }
        ImageHttpChecks.safe(given().redirects().follow(false).header("If-None-Match", "\"x\"").get("/api/images/" + id)
                .then()).statusCode(302);
        ImageHttpChecks.safe(given().redirects().follow(false).header("Range", "bytes=100000-").get("/api/images/" + id)
                .then()).statusCode(302);
    }
}
