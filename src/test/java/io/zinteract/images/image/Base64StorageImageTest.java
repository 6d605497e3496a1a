package io.zinteract.images.image;

import io.zinteract.images.support.Admin;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.HostileImages;
import io.zinteract.images.support.ImageHttpChecks;
import io.zinteract.images.support.Sha;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ENABLE_R2_STORAGE=false: images live base64 in the row, as the legacy app stored them, and are served from it. */
@QuarkusTest
@TestProfile(Profiles.Base64Storage.class)
class Base64StorageImageTest {

    @Test
    void multipartUploadIsStoredBase64AndServedByteIdentical() {
        byte[] jpeg = TestImages.jpeg(80, 60, 7);
        Response created = given().multiPart("file", "p.jpg", jpeg, "image/jpeg")
                .multiPart("personaId", "millennial").multiPart("personaTitle", "Millennial")
                .multiPart("prompt", "a coffee shop").multiPart("tableId", "t-4").multiPart("provider", "openai")
                .when().post("/api/images")
                .then().statusCode(201).header("X-Image-Storage", "base64")
                .body("storage", equalTo("base64")).body("r2Key", nullValue())
                .body("contentType", equalTo("image/jpeg")).body("size", equalTo(jpeg.length))
                .body("sha256", equalTo(Sha.sha256(jpeg))).body("fallback", equalTo(false))
                .extract().response();
        String id = created.path("id");
        assertTrue(((String) created.path("url")).endsWith("/api/images/" + id));

        Map<String, Object> row = Db.rows("SELECT * FROM images WHERE id = ?", id).get(0);
        assertArrayEquals(jpeg, Base64.getDecoder().decode((String) row.get("image_data")));
        assertEquals("image/jpeg", row.get("image_mime_type"));
        assertEquals("millennial", row.get("persona_id"));
        assertEquals("Millennial", row.get("persona_title"));
        assertEquals("t-4", row.get("table_id"));
        assertEquals("openai", row.get("provider"));
        assertEquals("pending", row.get("migration_status"));
        assertNull(row.get("r2_key"));

        byte[] served = given().when().get("/api/images/" + id)
                .then().statusCode(200).contentType("image/jpeg").header("X-Image-Storage", "base64")
                .header("Content-Length", String.valueOf(jpeg.length))
                .header("ETag", "\"" + Sha.sha256(jpeg) + "\"")
                .header("Cache-Control", "public, max-age=31536000, immutable")
                .extract().asByteArray();
        assertArrayEquals(jpeg, served);

        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertEquals(0, bucket.list("").size(), "nothing may reach the bucket with R2 storage off");
        }
    }

    @Test
    void rawBodyUploadWithQueryFieldsRoundTrips() {
        byte[] png = TestImages.png(20, 20, 11);
        String id = given().contentType("image/png").body(png)
                .queryParam("personaId", "gen-alpha").queryParam("prompt", "a robot pet").queryParam("sessionId", "sess_9")
                .when().post("/api/images")
                .then().statusCode(201).body("contentType", equalTo("image/png")).body("storage", equalTo("base64"))
                .extract().path("id");
        assertArrayEquals(png, given().get("/api/images/" + id).then().statusCode(200).extract().asByteArray());
        given().get("/api/images/" + id + "/meta").then().statusCode(200)
                .body("personaId", equalTo("gen-alpha")).body("personaTitle", equalTo("gen-alpha"))
                .body("sessionId", equalTo("sess_9")).body("storage", equalTo("base64"))
                .body("size", equalTo(png.length)).body("sha256", equalTo(Sha.sha256(png)))
                .body("imageData", nullValue());
    }

    @Test
    void rangesConditionalRequestsAndEveryFormatAreServed() {
        byte[] webp = TestImages.webp(3000, 5);
        String id = upload(webp, "image/webp", "gen-z");
        byte[] part = given().header("Range", "bytes=10-19").get("/api/images/" + id)
                .then().statusCode(206).header("Content-Range", "bytes 10-19/" + webp.length)
                .header("Content-Length", "10").extract().asByteArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(webp, 10, 20), part);
        byte[] tail = given().header("Range", "bytes=-5").get("/api/images/" + id)
                .then().statusCode(206).extract().asByteArray();
        assertArrayEquals(java.util.Arrays.copyOfRange(webp, webp.length - 5, webp.length), tail);
        given().header("Range", "bytes=" + webp.length + "-").get("/api/images/" + id)
                .then().statusCode(416).contentType("application/problem+json")
                .body("code", equalTo("RANGE_NOT_SATISFIABLE"));
        given().header("If-None-Match", "\"" + Sha.sha256(webp) + "\"").get("/api/images/" + id)
                .then().statusCode(304);

        for (byte[] image : List.of(TestImages.gif(), TestImages.avif(200))) {
            String other = upload(image, null, "gen-x");
            assertArrayEquals(image, given().get("/api/images/" + other).then().statusCode(200).extract().asByteArray());
        }
    }

    @Test
    void listingPagesNewestFirstWithoutGapsOrRepeats() {
        String session = "page-" + System.nanoTime();
        Set<String> uploaded = new HashSet<>();
        for (int i = 0; i < 7; i++) {
            uploaded.add(given().contentType("image/png").body(TestImages.png(4, 4, i))
                    .queryParam("personaId", "baby-boomer").queryParam("prompt", "p" + i).queryParam("sessionId", session)
                    .post("/api/images").then().statusCode(201).extract().path("id"));
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var request = given().queryParam("sessionId", session).queryParam("limit", 3);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            Response page = request.get("/api/images").then().statusCode(200).extract().response();
            seen.addAll(page.path("items.id"));
            cursor = page.path("nextCursor");
            pages++;
        } while (cursor != null);
        assertEquals(3, pages);
        assertEquals(7, seen.size());
        assertEquals(uploaded, new HashSet<>(seen));
        given().queryParam("personaId", "baby-boomer").queryParam("sessionId", session).queryParam("limit", 200)
                .get("/api/images").then().statusCode(200).body("items.size()", equalTo(7)).body("nextCursor", nullValue());
    }

    @Test
    void deleteRemovesTheRowAndThenAnswers404() {
        String id = upload(TestImages.png(8, 8, 1), "image/png", "gen-x");
        given().header(Admin.auth()).delete("/api/images/" + id).then().statusCode(204);
        assertEquals(0, Db.count("SELECT COUNT(*) FROM images WHERE id = ?", id));
        given().get("/api/images/" + id).then().statusCode(404).contentType("application/problem+json")
                .body("code", equalTo("IMAGE_NOT_FOUND"));
        given().header(Admin.auth()).delete("/api/images/" + id).then().statusCode(404).body("code", equalTo("IMAGE_NOT_FOUND"));
    }

    static String upload(byte[] bytes, String type, String persona) {
        var request = given().queryParam("personaId", persona).queryParam("prompt", "test");
        if (type != null) {
            request.contentType(type);
        } else {
            request.contentType("application/octet-stream");
        }
        return request.body(bytes).post("/api/images").then().statusCode(201).extract().path("id");
    }

    @Test
    void hostileFilesAreRefusedWithTheirCodeAndNothingIsStored() {
        ImageHttpChecks.hostileUploadsAreRefused(HostileImages.all());
    }

    @Test
    void rangesAndConditionalsAnswerWithSafetyHeaders() {
        byte[] png = TestImages.png(40, 30, 77);
        String id = given().contentType("image/png").body(png).queryParam("personaId", "gen-z").queryParam("prompt", "x")
                .post("/api/images").then().statusCode(201).extract().path("id");
        ImageHttpChecks.rangesAndConditionals(id, png, "base64");
        ImageHttpChecks.safe(given().get("/api/images/" + java.util.UUID.randomUUID()).then()).statusCode(404);
    }

    /** Rows stored before the checks existed are served as they are, with the headers that keep a browser safe. */
    @Test
    void aLegacyPolyglotRowIsStillServedButNeverAsHtml() throws Exception {
        byte[] polyglot = HostileImages.concat(TestImages.png(12, 12, 5), HostileImages.html());
        String id = Db.insertBase64Row(polyglot, "gen-x");
        assertArrayEquals(polyglot, ImageHttpChecks.safe(given().get("/api/images/" + id).then()).statusCode(200)
                .contentType("image/png").extract().asByteArray());
    }
}
