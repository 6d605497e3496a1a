package io.zinteract.images.variant;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.Sha;
import io.zinteract.images.support.VariantImages;
import io.zinteract.images.support.profile.VariantProfiles;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Variants made after an upload, kept in the bucket and the table, served by content negotiation, and gone with their
 * image. R2 storage with redirects to presigned URLs, as in production.
 */
@QuarkusTest
@TestProfile(VariantProfiles.Eager.class)
class VariantEagerTest {

    static final Map<String, Integer> PRESETS = Map.of("thumb", 160, "small", 480, "medium", 1024);

    @Test
    void anUploadGetsItsPresetsAsWebpInTheBucketAndTheTable() throws Exception {
        byte[] png = VariantImages.png(VariantImages.portrait(1792, 1024, 1, false));
        String id = upload(png, "image/png");
        List<Map<String, Object>> rows = awaitVariants(id, 3);
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            for (Map<String, Object> row : rows) {
                int width = PRESETS.get((String) row.get("preset"));
                assertEquals("webp", row.get("format"));
                assertEquals(width, ((Number) row.get("width")).intValue());
                assertEquals(Math.round(1024.0 * width / 1792), ((Number) row.get("height")).intValue());
                String key = (String) row.get("r2_key");
                assertTrue(key.startsWith("variants/images/gen-x/" + id + "/png/"), key);
                byte[] object = bucket.get(key).asByteArray();
                assertTrue(VariantImages.isWebp(object));
                assertEquals(((Number) row.get("bytes")).longValue(), object.length);
                assertEquals(row.get("sha256"), Sha.sha256(object));
                BufferedImage decoded = VariantImages.decode(object);
                assertEquals(width, decoded.getWidth());
                assertTrue(java.util.Set.of("VP8 ", "VP8L", "VP8X", "ALPH")
                        .containsAll(VariantImages.webpChunks(object)), "image chunks only");
            }
        }
        long small = rows.stream().filter(r -> r.get("preset").equals("small"))
                .mapToLong(r -> ((Number) r.get("bytes")).longValue()).sum();
        assertTrue(small * 20 < png.length, "a small WebP is under 5 % of its PNG: " + small + " of " + png.length);
    }

    @Test
    void acceptPicksWebpOrJpegAndEveryAnswerVariesOnAccept() throws Exception {
        byte[] png = VariantImages.png(VariantImages.portrait(900, 600, 2, false));
        String id = upload(png, "image/png");
        byte[] webp = followed(id, "small", "image/avif,image/webp,*/*");
        assertTrue(VariantImages.isWebp(webp));
        byte[] jpeg = followed(id, "small", "image/jpeg");
        assertTrue(VariantImages.isJpeg(jpeg));
        assertEquals(480, VariantImages.decode(jpeg).getWidth());
        byte[] wildcard = followed(id, "thumb", "*/*");
        assertTrue(VariantImages.isJpeg(wildcard), "a wildcard is no promise of WebP");
        byte[] explicit = followed(id, "thumb", "image/jpeg", "webp");
        assertTrue(VariantImages.isWebp(explicit));
        awaitVariants(id, 5);
        assertEquals(List.of("small.jpeg", "thumb.jpeg", "medium.webp", "small.webp", "thumb.webp"), Db.rows(
                "SELECT preset, format FROM image_variants WHERE image_id = ? ORDER BY format, preset", id).stream()
                .map(r -> r.get("preset") + "." + r.get("format")).toList());
    }

    @Test
    void transparentImagesFallBackToPngNotJpeg() {
        byte[] png = VariantImages.png(VariantImages.portrait(640, 640, 3, true));
        String id = upload(png, "image/png");
        awaitVariants(id, 3);
        byte[] variant = followed(id, "small", "image/jpeg,image/png");
        assertEquals("PNG", new String(variant, 1, 3));
        assertTrue(VariantImages.decode(variant).getColorModel().hasAlpha());
    }

    @Test
    void gpsExifNeverReachesAVariantAndOrientationIsApplied() throws Exception {
        byte[] jpeg = VariantImages.jpegWithGpsExif(VariantImages.portrait(800, 400, 4, false));
        String id = upload(jpeg, "image/jpeg");
        List<Map<String, Object>> rows = awaitVariants(id, 3);
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            for (Map<String, Object> row : rows) {
                byte[] object = bucket.get((String) row.get("r2_key")).asByteArray();
                assertFalse(VariantImages.webpChunks(object).contains("EXIF"), "no EXIF chunk");
                assertFalse(VariantImages.webpChunks(object).contains("XMP "), "no XMP chunk");
                BufferedImage decoded = VariantImages.decode(object);
                assertTrue(decoded.getHeight() > decoded.getWidth(), "Orientation 6 turns 800x400 upright");
            }
        }
        byte[] asJpeg = followed(id, "thumb", "image/jpeg");
        assertFalse(VariantImages.jpegSegments(asJpeg).contains(0xE1), "no APP1 (EXIF/XMP) segment");
        assertEquals(160, VariantImages.decode(asJpeg).getWidth());
        assertEquals(320, VariantImages.decode(asJpeg).getHeight());
    }

    @Test
    void theThumbHashIsInMetaAndInListings() {
        byte[] png = VariantImages.png(VariantImages.portrait(512, 512, 5, false));
        String id = given().multiPart("file", "p.png", png, "image/png").multiPart("personaId", "hash-persona")
                .multiPart("prompt", "p").when().post("/api/images").then().statusCode(201).extract().path("id");
        awaitVariants(id, 3);
        String hash = given().when().get("/api/images/" + id + "/meta").then().statusCode(200)
                .body("thumbhash", notNullValue()).body("variants.small", equalTo(
                        given().when().get("/api/images/" + id + "/meta").path("url") + "?variant=small"))
                .extract().path("thumbhash");
        assertTrue(java.util.Base64.getDecoder().decode(hash).length >= 5);
        given().when().get("/api/images?personaId=hash-persona").then().statusCode(200)
                .body("items[0].id", equalTo(id)).body("items[0].thumbhash", equalTo(hash));
    }

    @Test
    void deleteLeavesNoVariantObjectOrRow() {
        byte[] png = VariantImages.png(VariantImages.portrait(700, 500, 6, false));
        String id = upload(png, "image/png");
        List<Map<String, Object>> rows = awaitVariants(id, 3);
        followed(id, "small", "image/jpeg");
        given().header(io.zinteract.images.support.Admin.auth()).when().delete("/api/images/" + id)
                .then().statusCode(204);
        assertEquals(0, Db.count("SELECT COUNT(*) FROM image_variants WHERE image_id = ?", id));
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            for (Map<String, Object> row : rows) {
                assertTrue(bucket.head((String) row.get("r2_key")).isEmpty());
            }
            assertTrue(bucket.list("variants/images/gen-x/" + id + "/").isEmpty());
        }
    }

    static String upload(byte[] bytes, String type) {
        return given().multiPart("file", "p", bytes, type).multiPart("personaId", "gen-x").multiPart("prompt", "p")
                .when().post("/api/images").then().statusCode(201).extract().path("id");
    }

    /** The image's variant rows once there are {@code count} (eager making runs in the background). */
    static List<Map<String, Object>> awaitVariants(String id, int count) {
        Instant end = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(end)) {
            List<Map<String, Object>> rows = Db.rows("SELECT * FROM image_variants WHERE image_id = ?", id);
            if (rows.size() >= count) {
                assertEquals(count, rows.size());
                return rows;
            }
            sleep();
        }
        return fail("image " + id + " did not get " + count + " variants in time");
    }

    private static byte[] followed(String id, String preset, String accept) {
        return followed(id, preset, accept, null);
    }

    /** GETs the variant (302 to a presigned URL, Vary: Accept) and fetches the bytes from the bucket. */
    private static byte[] followed(String id, String preset, String accept, String format) {
        var request = given().redirects().follow(false).header("Accept", accept).queryParam("variant", preset);
        if (format != null) {
            request = request.queryParam("format", format);
        }
        Response r = request.when().get("/api/images/" + id).then().statusCode(302).header("Vary", "Accept")
                .extract().response();
        try {
            HttpResponse<byte[]> fetched = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(r.header("Location"))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, fetched.statusCode());
            return fetched.body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
