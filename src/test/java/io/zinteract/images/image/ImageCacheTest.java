package io.zinteract.images.image;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.zinteract.images.support.Admin;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.Profiles;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The serving cache in one process. Rows are cached for an hour here, so every answer that changes after a write
 * proves that write's invalidation: delete, migrate (a new key), rollback, purge (the row's base64 length), a variant's
 * thumbhash, and a lookup that found nothing. Each test first shows that the row is served from the cache (the hit
 * counter moves), so none passes merely because nothing was cached.
 */
@QuarkusTest
@TestProfile(Profiles.ServeCache.class)
class ImageCacheTest {

    private static final String MIGRATE = "/api/migrate-images";

    @Inject
    ImageReadService reads;

    @Test
    void aDeletedImageIsNotServedFromTheCache() {
        String id = upload(TestImages.png(20, 10, 1));
        assertCachedAfterTwoGets(id, 302);

        given().header(Admin.auth()).delete("/api/images/" + id).then().statusCode(204);

        get(id).then().statusCode(404);
        given().get("/api/images/" + id + "/meta").then().statusCode(404);
    }

    @Test
    void aMigratedImageIsServedFromItsNewKeyAndARolledBackOneFromTheDatabase() throws Exception {
        byte[] png = TestImages.png(21, 11, 2);
        String id = Db.insertBase64Row(png, "gen-z");
        assertCachedAfterTwoGets(id, 200);
        get(id).then().header("X-Image-Storage", "base64");

        // Retained: the cached row would still be servable from its base64, so only the invalidation moves it to R2.
        JsonPath migrated = job("{\"action\": \"migrate\", \"imageIds\": [\"" + id + "\"], \"retainBase64\": true}");
        assertEquals(1, migrated.getLong("migrated"), migrated.prettify());
        String location = get(id).then().statusCode(302).header("X-Image-Storage", "r2").extract().header("Location");
        assertTrue(location.contains("/images/gen-z/" + id + ".png?"), location);
        assertArrayEquals(png, fetch(location));
        assertCachedAfterTwoGets(id, 302);

        JsonPath rolledBack = job("{\"action\": \"rollback\", \"imageIds\": [\"" + id + "\"], \"deleteFromR2\": true}");
        assertEquals(1, rolledBack.getLong("rolledBack"), rolledBack.prettify());
        byte[] served = get(id).then().statusCode(200).header("X-Image-Storage", "base64").extract().asByteArray();
        assertArrayEquals(png, served);
        given().get("/api/images/" + id + "/meta").then().statusCode(200).body("storage", equalTo("base64"))
                .body("r2Key", nullValue());
    }

    @Test
    void aBase64ImageIsDecodedOnceThenServedFromMemoryUntilItIsDeleted() throws Exception {
        byte[] png = TestImages.png(25, 15, 7);
        String id = Db.insertBase64Row(png, "gen-y");
        String etag = get(id).then().statusCode(200).extract().header("ETag");
        double before = hits("image-bytes");

        Response again = get(id);
        again.then().statusCode(200).header("X-Image-Storage", "base64").header("ETag", etag);
        assertArrayEquals(png, again.asByteArray());
        assertEquals(before + 1, hits("image-bytes"), "the second GET's bytes came from the cache");
        given().header("Range", "bytes=2-9").get("/api/images/" + id).then().statusCode(206)
                .header("Content-Range", "bytes 2-9/" + png.length);
        assertArrayEquals(png, get(id).asByteArray(), "a range did not alter the cached bytes");

        given().header(Admin.auth()).delete("/api/images/" + id).then().statusCode(204);
        get(id).then().statusCode(404);
    }

    @Test
    void aPurgedRowNoLongerClaimsItsBase64() throws Exception {
        String id = Db.insertBase64Row(TestImages.png(22, 12, 3), "gen-x");
        job("{\"action\": \"migrate\", \"imageIds\": [\"" + id + "\"], \"retainBase64\": true}");
        assertCachedAfterTwoGets(id, 302);
        assertTrue(reads.find(id).await().indefinitely().hasBase64(), "retained base64, cached");

        JsonPath purged = job("{\"action\": \"purge\", \"imageIds\": [\"" + id + "\"], \"olderThanDays\": 0}");
        assertEquals(1, purged.getLong("purged"), purged.prettify());

        assertEquals(0, reads.find(id).await().indefinitely().base64Length(), "the cached row is gone with the base64");
        get(id).then().statusCode(302).header("X-Image-Storage", "r2");
    }

    @Test
    void aThumbhashSetByAVariantShowsAtOnce() {
        String id = upload(TestImages.png(64, 48, 4));
        assertCachedAfterTwoGets(id, 302);
        given().get("/api/images/" + id + "/meta").then().statusCode(200).body("thumbhash", nullValue());

        given().redirects().follow(false).get("/api/images/" + id + "?variant=thumb").then().statusCode(302);

        given().get("/api/images/" + id + "/meta").then().statusCode(200).body("thumbhash", notNullValue());
    }

    @Test
    void aLookupThatFoundNothingIsNotKept() throws Exception {
        String id = UUID.randomUUID().toString();
        get(id).then().statusCode(404);
        get(id).then().statusCode(404);

        byte[] png = TestImages.png(23, 13, 5);
        insertBase64Row(id, png);

        assertArrayEquals(png, get(id).then().statusCode(200).extract().asByteArray());
    }

    /**
     * A presigned URL is handed out again while more than half its lifetime remains (a fresh signature would carry a
     * later X-Amz-Date), then replaced by a new one, and none handed out has less than half left.
     */
    @Test
    void aPresignedUrlIsReusedForHalfItsLifetime() throws Exception {
        byte[] png = TestImages.png(24, 14, 6);
        String id = upload(png);
        String first = location(id);
        Instant signed = signedAt(first);
        awaitClockPast(signed.plusSeconds(1));
        assertEquals(first, location(id), "reused after a second");

        Duration ttl = Profiles.ServeCache.PRESIGN_TTL;
        long deadline = System.nanoTime() + ttl.toNanos() * 2;
        String current = first;
        while (current.equals(first) && System.nanoTime() < deadline) {
            assertHalfLeft(current, ttl);
            Thread.sleep(50);
            current = location(id);
        }
        assertNotEquals(first, current, "a new URL within " + ttl.multipliedBy(2));
        assertHalfLeft(current, ttl);
        assertTrue(signedAt(current).isAfter(signed));
        assertArrayEquals(png, fetch(current));
    }

    private static void assertCachedAfterTwoGets(String id, int status) {
        get(id).then().statusCode(status);
        double before = hits();
        get(id).then().statusCode(status);
        assertTrue(hits() > before, "the second GET of " + id + " was answered from the cache");
    }

    /** Second resolution: the signing time is truncated to the second in X-Amz-Date, so a second of slack. */
    private static void assertHalfLeft(String url, Duration ttl) {
        Instant expires = signedAt(url).plus(ttl);
        Duration left = Duration.between(Instant.now(), expires);
        assertFalse(left.compareTo(ttl.dividedBy(2).minusMillis(1_200)) < 0, "only " + left + " left of " + url);
    }

    private static Instant signedAt(String url) {
        String query = URI.create(url).getRawQuery();
        for (String part : query.split("&")) {
            if (part.startsWith("X-Amz-Date=")) {
                return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC)
                        .parse(part.substring("X-Amz-Date=".length()), Instant::from);
            }
        }
        throw new AssertionError("no X-Amz-Date in " + url);
    }

    private static void awaitClockPast(Instant instant) throws InterruptedException {
        while (!Instant.now().isAfter(instant)) {
            Thread.sleep(20);
        }
    }

    private static String upload(byte[] png) {
        return given().multiPart("file", "face.png", png, "image/png").multiPart("personaId", "gen-x")
                .multiPart("prompt", "a portrait").post("/api/images").then().statusCode(201).extract().path("id");
    }

    private static Response get(String id) {
        return given().redirects().follow(false).get("/api/images/" + id);
    }

    private static String location(String id) {
        return get(id).then().statusCode(302).extract().header("Location");
    }

    private static JsonPath job(String json) {
        String body = json.substring(0, json.length() - 1) + ", \"wait\": true}";
        Response response = given().header(Admin.auth()).contentType(ContentType.JSON).body(body).post(MIGRATE);
        assertEquals(200, response.statusCode(), response.asString());
        JsonPath done = response.jsonPath();
        assertEquals("completed", done.getString("state"), done.prettify());
        return done;
    }

    private static byte[] fetch(String url) throws Exception {
        HttpResponse<byte[]> fetched = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, fetched.statusCode(), url);
        return fetched.body();
    }

    /** Hits of the row cache, from the Prometheus endpoint as an operator would read them. */
    private static double hits() {
        return hits("image-rows");
    }

    private static double hits(String cache) {
        String text = given().get("/q/metrics").then().statusCode(200).extract().asString();
        List<String> lines = text.lines().filter(l -> l.startsWith("cache_gets_total{")
                && l.contains("cache=\"" + cache + "\"") && l.contains("result=\"hit\"")).toList();
        if (lines.isEmpty()) {
            fail("no cache_gets_total for " + cache + " on /q/metrics");
        }
        return lines.stream().mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static void insertBase64Row(String id, byte[] image) throws Exception {
        try (var c = Db.openConfigured(); var ps = c.prepareStatement("INSERT INTO images (id, persona_id, "
                + "persona_title, image_data, image_mime_type, prompt, status, migration_status, created_at, updated_at) "
                + "VALUES (?, 'gen-x', 'Legacy', ?, 'image/png', 'legacy', 'completed', 'pending', 1700000000, 1700000000)")) {
            ps.setString(1, id);
            ps.setString(2, java.util.Base64.getEncoder().encodeToString(image));
            ps.executeUpdate();
        }
    }
}
