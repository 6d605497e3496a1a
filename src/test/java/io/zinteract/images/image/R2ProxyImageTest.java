package io.zinteract.images.image;

import io.zinteract.images.support.Admin;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.HostileImages;
import io.zinteract.images.support.ImageHttpChecks;
import io.zinteract.images.support.Sha;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.Profiles;
import io.zinteract.images.support.profile.S3ProxyResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * R2 storage with IMAGE_SERVE_MODE=proxy: bytes stream from the bucket through the service; the {@code url} fields
 * name the public R2 address. Also the delete order: object first, and a store outage changes nothing.
 */
@QuarkusTest
@TestProfile(Profiles.R2Proxy.class)
class R2ProxyImageTest {

    @Test
    void imagesStreamFromTheBucketWithRanges() {
        byte[] png = TestImages.png(300, 200, 42);
        var created = given().contentType("image/png").body(png).queryParam("personaId", "gen-z")
                .queryParam("prompt", "skate park").post("/api/images")
                .then().statusCode(201).body("storage", equalTo("r2")).extract().response();
        String id = created.path("id");
        String key = created.path("r2Key");
        assertEquals(Profiles.R2Proxy.PUBLIC_URL + "/" + key, created.path("url"));
        assertEquals(Profiles.R2Proxy.PUBLIC_URL + "/" + key,
                Db.rows("SELECT image_url FROM images WHERE id = ?", id).get(0).get("image_url"));

        byte[] served = given().get("/api/images/" + id).then().statusCode(200).contentType("image/png")
                .header("X-Image-Storage", "r2").header("Content-Length", String.valueOf(png.length))
                .header("ETag", "\"" + Sha.sha256(png) + "\"").extract().asByteArray();
        assertArrayEquals(png, served);

        byte[] part = given().header("Range", "bytes=100-299").get("/api/images/" + id)
                .then().statusCode(206).header("Content-Range", "bytes 100-299/" + png.length)
                .extract().asByteArray();
        assertArrayEquals(Arrays.copyOfRange(png, 100, 300), part);

        given().get("/api/images/" + id + "/meta").then().statusCode(200)
                .body("url", equalTo(Profiles.R2Proxy.PUBLIC_URL + "/" + key));
    }

    @Test
    void deleteRemovesTheObjectThenTheRow() {
        byte[] jpeg = TestImages.jpeg(32, 32, 3);
        var created = given().contentType("image/jpeg").body(jpeg).queryParam("personaId", "gen-x")
                .queryParam("prompt", "x").post("/api/images").then().statusCode(201).extract().response();
        String id = created.path("id");
        String key = created.path("r2Key");
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertTrue(bucket.head(key).isPresent());
            given().header(Admin.auth()).delete("/api/images/" + id).then().statusCode(204);
            assertTrue(bucket.head(key).isEmpty(), "the object must be gone");
        }
        assertEquals(0, Db.count("SELECT COUNT(*) FROM images WHERE id = ?", id));
    }

    @Test
    void deleteDuringAStoreOutageAnswers503AndChangesNothing() {
        byte[] png = TestImages.png(16, 16, 9);
        var created = given().contentType("image/png").body(png).queryParam("personaId", "gen-x")
                .queryParam("prompt", "x").post("/api/images").then().statusCode(201).extract().response();
        String id = created.path("id");
        String key = created.path("r2Key");
        String before = Db.imagesFingerprint();
        S3ProxyResource.current().stop();
        try {
            given().header(Admin.auth()).delete("/api/images/" + id).then().statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", "10").body("code", equalTo("STORAGE_UNAVAILABLE"));
            assertEquals(before, Db.imagesFingerprint(), "the row must be untouched");
        } finally {
            S3ProxyResource.current().start();
        }
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertArrayEquals(png, bucket.get(key).asByteArray(), "the object must be untouched");
        }
        assertArrayEquals(png, given().get("/api/images/" + id).then().statusCode(200).extract().asByteArray());
    }

    @Test
    void aRowWhoseObjectVanishedAnswers404WithAProblem() {
        var created = given().contentType("image/png").body(TestImages.png(8, 8, 2)).queryParam("personaId", "gen-x")
                .queryParam("prompt", "x").post("/api/images").then().statusCode(201).extract().response();
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            bucket.delete(created.path("r2Key"));
        }
        String problem = ImageHttpChecks.safe(given().get("/api/images/" + created.path("id")).then()).statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("IMAGE_CONTENT_MISSING"))
                .extract().asString();
        ImageHttpChecks.assertNoInternalNames(problem);
    }

    @Test
    void hostileFilesAreRefusedWithTheirCodeAndNothingIsStored() {
        ImageHttpChecks.hostileUploadsAreRefused(HostileImages.quoted());
    }

    /** Issue 9: proxy mode answered a range beyond the object 503 with the key in the detail, and ignored If-None-Match. */
    @Test
    void rangesAndConditionalsAreResolvedLikeBase64Rows() {
        byte[] png = TestImages.png(40, 30, 78);
        String id = given().contentType("image/png").body(png).queryParam("personaId", "gen-z").queryParam("prompt", "x")
                .post("/api/images").then().statusCode(201).extract().path("id");
        ImageHttpChecks.rangesAndConditionals(id, png, "r2");
    }

    @Test
    void aStoreOutageProblemNamesNoKeyBucketOrEndpoint() {
        String id = given().contentType("image/png").body(TestImages.png(8, 8, 79)).queryParam("personaId", "gen-x")
                .queryParam("prompt", "x").post("/api/images").then().statusCode(201).extract().path("id");
        S3ProxyResource.current().stop();
        try {
            String problem = ImageHttpChecks.safe(given().get("/api/images/" + id).then()).statusCode(503)
                    .header("Retry-After", "10").body("code", equalTo("STORAGE_UNAVAILABLE")).extract().asString();
            ImageHttpChecks.assertNoInternalNames(problem);
        } finally {
            S3ProxyResource.current().start();
        }
    }
}
