package io.zinteract.images.variant;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.HostileImages;
import io.zinteract.images.support.ImageHttpChecks;
import io.zinteract.images.support.ProblemAssert;
import io.zinteract.images.support.RawHttp;
import io.zinteract.images.support.Sha;
import io.zinteract.images.support.VariantImages;
import io.zinteract.images.support.profile.VariantProfiles;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Variants made on first request (no eager making), streamed through the service; database images' variants made on
 * request and kept in memory only; what the variant parameters refuse.
 */
@QuarkusTest
@TestProfile(VariantProfiles.Lazy.class)
class VariantLazyTest {

    @Test
    void aHundredConcurrentFirstRequestsMakeOneVariant() throws Exception {
        byte[] png = VariantImages.png(VariantImages.portrait(1792, 1024, 11, false));
        String id = VariantEagerTest.upload(png, "image/png");
        double before = made("request");
        URI uri = URI.create(io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port
                + "/api/images/" + id + "?variant=medium");
        HttpClient client = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(client.sendAsync(HttpRequest.newBuilder(uri).header("Accept", "image/webp").build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        Set<String> etags = new HashSet<>();
        byte[] first = null;
        for (CompletableFuture<HttpResponse<byte[]>> f : all) {
            HttpResponse<byte[]> r = f.get();
            assertEquals(200, r.statusCode(), new String(r.body()));
            etags.add(r.headers().firstValue("ETag").orElseThrow());
            first = first == null ? r.body() : first;
            assertArrayEquals(first, r.body());
        }
        assertEquals(Set.of("\"" + Sha.sha256(first) + "\""), etags);
        assertEquals(1, Db.count("SELECT COUNT(*) FROM image_variants WHERE image_id = ?", id));
        assertEquals(1.0, made("request") - before, "one variant made for 100 requests");
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertEquals(1, bucket.list("variants/images/gen-x/" + id + "/").size());
        }
        assertEquals(1024, VariantImages.decode(first).getWidth());
    }

    @Test
    void aProxiedVariantCarriesItsOwnValidatorsAndVariesOnAccept() {
        byte[] png = VariantImages.png(VariantImages.portrait(600, 400, 12, false));
        String id = VariantEagerTest.upload(png, "image/png");
        Response r = ImageHttpChecks.safe(given().header("Accept", "image/webp").queryParam("variant", "thumb")
                .when().get("/api/images/" + id).then()).statusCode(200).contentType("image/webp")
                .header("Vary", "Accept").header("Cache-Control", "public, max-age=31536000, immutable")
                .extract().response();
        byte[] body = r.asByteArray();
        assertEquals("\"" + Sha.sha256(body) + "\"", r.header("ETag"));
        assertEquals(160, VariantImages.decode(body).getWidth());
        given().header("Accept", "image/webp").header("If-None-Match", r.header("ETag")).queryParam("variant", "thumb")
                .when().get("/api/images/" + id).then().statusCode(304).header("Vary", "Accept");
        byte[] part = given().header("Accept", "image/webp").header("Range", "bytes=0-11").queryParam("variant", "thumb")
                .when().get("/api/images/" + id).then().statusCode(206).extract().asByteArray();
        assertArrayEquals(java.util.Arrays.copyOf(body, 12), part);
        // The original is unchanged by all this.
        assertArrayEquals(png, given().when().get("/api/images/" + id).then().statusCode(200).extract().asByteArray());
    }

    @Test
    void unknownPresetsRawSizesAndBadFormatsAreRefusedAndChangeNothing() throws Exception {
        String id = VariantEagerTest.upload(VariantImages.png(VariantImages.portrait(300, 200, 13, false)), "image/png");
        // An empty format is auto; this first variant also sets the image's placeholder.
        given().queryParam("variant", "small").queryParam("format", "").when().get("/api/images/" + id).then()
                .statusCode(200).contentType("image/jpeg");
        String before = Db.imagesFingerprint();
        for (String query : List.of("variant=huge", "variant=480", "variant=480x480", "variant=small&format=gif",
                "format=webp", "variant=%F0%9F%98%80", "variant=")) {
            RawHttp.Answer a = RawHttp.exchange("GET /api/images/" + id + "?" + query + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\n\r\n");
            if (query.equals("variant=")) {
                assertEquals(200, a.status(), "an empty variant is the original");
                assertEquals("image/png", a.header("content-type"));
                continue;
            }
            ProblemAssert.problem(a, ErrorCode.INVALID_VARIANT, null);
        }
        assertEquals(before, Db.imagesFingerprint());
        assertEquals(1, Db.count("SELECT COUNT(*) FROM image_variants WHERE image_id = ?", id));
        given().queryParam("variant", "small").when().get("/api/images/" + UUID.randomUUID()).then().statusCode(404);
    }

    @Test
    void aPixelBombRowIsRefusedBeforeDecoding() throws Exception {
        String id = legacyRow(HostileImages.pngDeclaring(100_000, 100_000, 2_000));
        given().queryParam("variant", "small").when().get("/api/images/" + id).then().statusCode(422)
                .contentType("application/problem+json").body("code", equalTo(ErrorCode.IMAGE_TOO_MANY_PIXELS.name()));
    }

    @Test
    void aDatabaseImagesVariantsAreMadeOnRequestAndKeptOnlyInMemory() throws Exception {
        byte[] png = VariantImages.png(VariantImages.portrait(1000, 800, 14, false));
        String id = legacyRow(png);
        Response first = given().header("Accept", "image/webp").queryParam("variant", "small").when()
                .get("/api/images/" + id).then().statusCode(200).contentType("image/webp").header("Vary", "Accept")
                .header("X-Image-Storage", "base64").extract().response();
        byte[] webp = first.asByteArray();
        assertEquals(480, VariantImages.decode(webp).getWidth());
        double before = made("cache");
        byte[] again = given().header("Accept", "image/webp").queryParam("variant", "small").when()
                .get("/api/images/" + id).then().statusCode(200).header("ETag", first.header("ETag"))
                .extract().asByteArray();
        assertArrayEquals(webp, again);
        assertEquals(before, made("cache"), "served from the cache");
        assertEquals(0, Db.count("SELECT COUNT(*) FROM image_variants WHERE image_id = ?", id));
        given().when().get("/api/images/" + id + "/meta").then().statusCode(200).body("thumbhash", notNullValue())
                .body("storage", equalTo("base64"));
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertTrue(bucket.list("variants/").stream().noneMatch(o -> o.key().contains(id)));
        }
    }

    /** A row as the legacy app wrote it: base64 in the database, no object. */
    static String legacyRow(byte[] image) throws Exception {
        return Db.insertBase64Row(image, "legacy");
    }

    static double made(String trigger) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("variants_made_total{") && l.contains("trigger=\"" + trigger + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
