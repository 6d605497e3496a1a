package io.zinteract.images.quota;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.zinteract.images.support.Admin;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.server.ScriptedProviderServer;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static io.zinteract.images.quota.QuotaProfiles.BIG;
import static io.zinteract.images.quota.QuotaProfiles.SMALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every cap with exactly its allowance accepted and the next image refused, through every way an image comes in
 * (uploads, ingests, generations, presigned uploads), on SQLite; {@code QuotaPostgresTest} runs the same on
 * PostgreSQL. A refusal must leave the rows and the bucket exactly as they were, and cost no fetch or provider call.
 * Each test uses its own sessions and personas, so the caps of one never touch another.
 */
@QuarkusTest
@TestProfile(QuotaProfiles.Caps.class)
class QuotaTest {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    static Response upload(byte[] image, String personaId, String sessionId) {
        var request = given().multiPart("file", "q.png", image, "image/png").multiPart("personaId", personaId)
                .multiPart("prompt", "quota");
        if (sessionId != null) {
            request = request.multiPart("sessionId", sessionId);
        }
        return request.post("/api/images");
    }

    static void stored(byte[] image, String personaId, String sessionId) {
        upload(image, personaId, sessionId).then().statusCode(201);
    }

    /** A 429 QUOTA_EXCEEDED problem naming {@code quota} with its limit and use; returns it for more checks. */
    static JsonPath refused(Response r, String quota, long limit, long used) {
        r.then().statusCode(429).contentType("application/problem+json");
        JsonPath p = r.jsonPath();
        assertEquals("QUOTA_EXCEEDED", p.getString("code"), r.asString());
        assertEquals(quota, p.getString("quota"), r.asString());
        assertEquals(limit, p.getLong("limit"), r.asString());
        assertEquals(used, p.getLong("used"), r.asString());
        assertTrue(p.getString("detail").contains("nothing was stored"), r.asString());
        return p;
    }

    /** An image-count or bytes cap: it resets only when images are deleted, so no time is given. */
    static void refusedUntilDeleted(Response r, String quota, long limit, long used) {
        JsonPath p = refused(r, quota, limit, used);
        assertTrue(p.getMap("$").containsKey("resetsAt"), "resetsAt is null, not missing: " + r.asString());
        assertNull(p.get("resetsAt"), r.asString());
        assertNull(r.header("Retry-After"), "no known reset time");
        assertTrue(p.getString("detail").contains("deleting images"), r.asString());
    }

    static long rows(String column, String value) {
        return Db.count("SELECT COUNT(*) FROM images WHERE " + column + " = ?", value);
    }

    static int objects(String personaId) {
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            return bucket.list("images/" + personaId + "/").size();
        }
    }

    static String unique(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static double refusals(String endpoint, String quota) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("^quota_refused_total\\{endpoint=\"" + Pattern.quote(endpoint) + "\",quota=\""
                + Pattern.quote(quota) + "\"} ([0-9.E]+)$", Pattern.MULTILINE).matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void sessionImagesTakeExactlyTheCapThenRefuseAndStoreNothing() {
        String session = unique("s-img");
        String persona = unique("p-simg");
        for (int i = 0; i < QuotaProfiles.SESSION_IMAGES; i++) {
            stored(SMALL, persona, session);
        }
        double before = refusals("POST /api/images", "session-images");
        String fingerprint = Db.imagesFingerprint();
        Response r = upload(SMALL, persona, session);
        refusedUntilDeleted(r, "session-images", QuotaProfiles.SESSION_IMAGES, QuotaProfiles.SESSION_IMAGES);
        assertEquals(session, r.jsonPath().getString("sessionId"));
        assertEquals(fingerprint, Db.imagesFingerprint(), "the refusal changed no row");
        assertEquals(QuotaProfiles.SESSION_IMAGES, rows("session_id", session));
        assertEquals(QuotaProfiles.SESSION_IMAGES, objects(persona), "the refusal put no object");
        assertEquals(before + 1, refusals("POST /api/images", "session-images"), 0.0);
        // Another session of the same persona is not held by this session's cap.
        stored(SMALL, persona, unique("s-other"));
    }

    @Test
    void sessionBytesTakeAnImageThatFillsTheCapToTheLastByteThenRefuse() {
        String session = unique("s-bytes");
        String persona = unique("p-sbytes");
        stored(BIG, persona, session);
        stored(BIG, persona, session);
        refusedUntilDeleted(upload(SMALL, persona, session), "session-bytes", QuotaProfiles.SESSION_BYTES,
                2L * BIG.length);
        assertEquals(2, rows("session_id", session));
        assertEquals(2, objects(persona));
    }

    @Test
    void personaImagesCountOverAllSessions() {
        String persona = unique("p-pimg");
        stored(SMALL, persona, null);
        stored(SMALL, persona, unique("s-a"));
        stored(SMALL, persona, unique("s-b"));
        stored(SMALL, persona, null);
        Response r = upload(SMALL, persona, unique("s-c"));
        refusedUntilDeleted(r, "persona-images", QuotaProfiles.PERSONA_IMAGES, QuotaProfiles.PERSONA_IMAGES);
        assertEquals(persona, r.jsonPath().getString("personaId"));
        assertEquals(QuotaProfiles.PERSONA_IMAGES, rows("persona_id", persona));
        assertEquals(QuotaProfiles.PERSONA_IMAGES, objects(persona));
    }

    @Test
    void personaBytesTakeExactlyTheCapThenRefuse() {
        String persona = unique("p-pbytes");
        for (int i = 0; i < 3; i++) {
            stored(BIG, persona, null);
        }
        refusedUntilDeleted(upload(SMALL, persona, null), "persona-bytes", QuotaProfiles.PERSONA_BYTES, 3L * BIG.length);
        assertEquals(3, rows("persona_id", persona));
        assertEquals(3, objects(persona));
    }

    /**
     * A legacy row (size_bytes NULL, a data: URL broken into lines) counts with its decoded size, exactly: 3/4 of its
     * characters would be more than BIG, and the second BIG upload, which fills the cap to the byte, would be refused.
     */
    @Test
    void legacyBase64RowsCountTheirDecodedBytes() throws Exception {
        String persona = unique("p-legacy");
        String dataUrl = "data:image/png;base64," + Base64.getMimeEncoder().encodeToString(BIG);
        assertTrue(dataUrl.length() * 3L / 4 > BIG.length, "the bound alone would refuse");
        try (Connection c = Db.openConfigured(); PreparedStatement ps = c.prepareStatement("INSERT INTO images (id, "
                + "persona_id, persona_title, image_data, image_mime_type, prompt, status, migration_status, created_at, "
                + "updated_at) VALUES (?, ?, 'Legacy', ?, 'image/png', 'legacy', 'completed', 'pending', 1700000000, "
                + "1700000000)")) {
            ps.setString(1, UUID.randomUUID().toString());
            ps.setString(2, persona);
            ps.setString(3, dataUrl);
            ps.executeUpdate();
        }
        stored(BIG, persona, null);
        stored(BIG, persona, null);
        refusedUntilDeleted(upload(SMALL, persona, null), "persona-bytes", QuotaProfiles.PERSONA_BYTES, 3L * BIG.length);
        assertEquals(3, rows("persona_id", persona));
        assertEquals(2, objects(persona), "the legacy row has no object");
    }

    @Test
    void generationsPerDayStopBeforeTheProviderIsCalled() {
        ScriptedProviderServer.script("b64", 0, false);
        String session = unique("s-gen");
        String persona = unique("p-gen");
        String body = "{\"prompt\":\"a lighthouse\",\"personaId\":\"" + persona + "\",\"sessionId\":\"" + session + "\"}";
        for (int i = 0; i < QuotaProfiles.GENERATIONS_PER_DAY; i++) {
            given().contentType(ContentType.JSON).body(body).post("/api/generate-image").then().statusCode(201);
        }
        long now = Instant.now().getEpochSecond();
        Instant midnight = Instant.ofEpochSecond((Math.floorDiv(now, 86_400) + 1) * 86_400);
        Response r = given().contentType(ContentType.JSON).body(body).post("/api/generate-image");
        JsonPath p = refused(r, "session-generations-per-day", QuotaProfiles.GENERATIONS_PER_DAY,
                QuotaProfiles.GENERATIONS_PER_DAY);
        assertEquals(midnight.toString(), p.getString("resetsAt"));
        long retryAfter = Long.parseLong(r.header("Retry-After"));
        long expected = midnight.getEpochSecond() - now;
        assertTrue(retryAfter <= expected && retryAfter >= expected - 5, retryAfter + " vs " + expected);
        assertTrue(p.getString("detail").contains(midnight.toString()), r.asString());
        assertEquals(QuotaProfiles.GENERATIONS_PER_DAY, ScriptedProviderServer.hits("/v1/images/generations"),
                "the refused generation never reached the provider");
        assertEquals(QuotaProfiles.GENERATIONS_PER_DAY, rows("session_id", session), "no row for the refusal");
        assertEquals(QuotaProfiles.GENERATIONS_PER_DAY, objects(persona));
        // Deleting an image gives no generation back: the provider was paid for it.
        String id = Db.rows("SELECT id FROM images WHERE session_id = ?", session).get(0).get("id").toString();
        given().header(Admin.auth()).delete("/api/images/" + id).then().statusCode(204);
        refused(given().contentType(ContentType.JSON).body(body).post("/api/generate-image"),
                "session-generations-per-day", QuotaProfiles.GENERATIONS_PER_DAY, QuotaProfiles.GENERATIONS_PER_DAY);
        assertEquals(QuotaProfiles.GENERATIONS_PER_DAY, ScriptedProviderServer.hits("/v1/images/generations"));
    }

    @Test
    void generationsAreRefusedBeforeTheProviderWhenTheSessionHasNoImageLeft() {
        ScriptedProviderServer.script("b64", 0, false);
        String session = unique("s-genfull");
        String persona = unique("p-genfull");
        for (int i = 0; i < QuotaProfiles.SESSION_IMAGES; i++) {
            stored(SMALL, persona, session);
        }
        String body = "{\"prompt\":\"a lighthouse\",\"personaId\":\"" + persona + "\",\"sessionId\":\"" + session + "\"}";
        refusedUntilDeleted(given().contentType(ContentType.JSON).body(body).post("/api/generate-image"),
                "session-images", QuotaProfiles.SESSION_IMAGES, QuotaProfiles.SESSION_IMAGES);
        assertEquals(0, ScriptedProviderServer.hits("/v1/images/generations"));
        assertEquals(QuotaProfiles.SESSION_IMAGES, rows("session_id", session));
        assertEquals(0, Db.count("SELECT COALESCE(SUM(used), 0) FROM quota_generations WHERE session_id = ?", session),
                "a refused generation is not counted either");
    }

    /**
     * Room is left, but less than the generated image: admitted, the provider called once, then the image refused
     * before it is stored; its row is removed and its generation stays counted.
     */
    @Test
    void aGeneratedImageLargerThanTheRoomLeftIsRefusedAndLeavesNoRow() {
        ScriptedProviderServer.script("b64", 0, false);
        String session = unique("s-genbytes");
        String persona = unique("p-genbytes");
        byte[] filler = null;
        for (int width = 95; filler == null && width > 40; width--) {
            byte[] candidate = io.zinteract.images.support.TestImages.png(width, width, width);
            long room = QuotaProfiles.SESSION_BYTES - BIG.length - candidate.length;
            if (room > 0 && room < ScriptedProviderServer.IMAGE.length) {
                filler = candidate;
            }
        }
        assertTrue(filler != null, "an image leaving less room than the generated one");
        stored(BIG, persona, session);
        stored(filler, persona, session);
        String body = "{\"prompt\":\"a lighthouse\",\"personaId\":\"" + persona + "\",\"sessionId\":\"" + session + "\"}";
        refusedUntilDeleted(given().contentType(ContentType.JSON).body(body).post("/api/generate-image"),
                "session-bytes", QuotaProfiles.SESSION_BYTES, (long) BIG.length + filler.length);
        assertEquals(1, ScriptedProviderServer.hits("/v1/images/generations"));
        assertEquals(2, rows("session_id", session), "the generating row was removed");
        assertEquals(2, objects(persona));
        assertEquals(1, Db.count("SELECT used FROM quota_generations WHERE session_id = ?", session));
        assertEquals(0, Db.count("SELECT COUNT(*) FROM quota_reservations WHERE session_id = ?", session));
    }

    @Test
    void ingestOfAFullSessionFetchesNothing() {
        ScriptedProviderServer.script("b64", 0, false);
        String session = unique("s-ing");
        String persona = unique("p-ing");
        stored(SMALL, persona, session);
        stored(SMALL, persona, session);
        String body = "{\"url\":\"" + ScriptedProviderServer.base() + "/img/ok.png\",\"prompt\":\"x\",\"personaId\":\""
                + persona + "\",\"sessionId\":\"" + session + "\"}";
        given().contentType(ContentType.JSON).body(body).post("/api/images/ingest").then().statusCode(201);
        assertEquals(1, ScriptedProviderServer.hits("/img/ok.png"));
        refusedUntilDeleted(given().contentType(ContentType.JSON).body(body).post("/api/images/ingest"),
                "session-images", QuotaProfiles.SESSION_IMAGES, QuotaProfiles.SESSION_IMAGES);
        assertEquals(1, ScriptedProviderServer.hits("/img/ok.png"), "no fetch for a full session");
        assertEquals(3, rows("session_id", session));
        assertEquals(3, objects(persona));
    }

    @Test
    void deletingAnImageFreesItsRoom() {
        String session = unique("s-del");
        String persona = unique("p-del");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < QuotaProfiles.SESSION_IMAGES; i++) {
            ids.add(upload(SMALL, persona, session).then().statusCode(201).extract().path("id"));
        }
        upload(SMALL, persona, session).then().statusCode(429);
        given().header(Admin.auth()).delete("/api/images/" + ids.get(0)).then().statusCode(204);
        stored(SMALL, persona, session);
        upload(SMALL, persona, session).then().statusCode(429);
        assertEquals(QuotaProfiles.SESSION_IMAGES, rows("session_id", session));
        assertEquals(QuotaProfiles.SESSION_IMAGES, objects(persona));
    }

    /** Eight uploads at once into a session with room for three: exactly three are stored. */
    @Test
    void concurrentUploadsNeverPassTheCapTogether() throws Exception {
        String session = unique("s-race");
        String persona = unique("p-race");
        int k = 8;
        ExecutorService pool = Executors.newFixedThreadPool(k);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < k; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return upload(SMALL, persona, session).statusCode();
                }));
            }
            start.countDown();
            Map<Integer, Integer> statuses = new HashMap<>();
            for (Future<Integer> answer : answers) {
                statuses.merge(answer.get(), 1, Integer::sum);
            }
            assertEquals(Map.of(201, 3, 429, 5), statuses);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(3, rows("session_id", session));
        assertEquals(3, objects(persona));
        assertEquals(0, Db.count("SELECT COUNT(*) FROM quota_reservations WHERE session_id = ?", session),
                "every reservation was released");
    }

    @Inject
    QuotaService quota;

    /**
     * Sixteen reservations released at one instant (a barrier, not HTTP, so they truly overlap) for a persona with room
     * for three: exactly three are granted. Without the serialization (advisory locks on PostgreSQL) they all see room.
     */
    @Test
    void reservationsRacingForTheLastRoomGrantExactlyTheRoom() throws Exception {
        String persona = unique("p-barrier");
        int k = 16;
        ExecutorService pool = Executors.newFixedThreadPool(k);
        CyclicBarrier barrier = new CyclicBarrier(k);
        List<Future<Boolean>> answers = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        try {
            for (int i = 0; i < k; i++) {
                String id = UUID.randomUUID().toString();
                ids.add(id);
                answers.add(pool.submit(() -> {
                    barrier.await();
                    try {
                        return quota.reserve(QuotaService.Claim.held(id, null, persona, BIG.length),
                                QuotaEndpoint.UPLOAD).held();
                    } catch (QuotaExceededException refused) {
                        return false;
                    }
                }));
            }
            int granted = 0;
            for (Future<Boolean> answer : answers) {
                granted += answer.get() ? 1 : 0;
            }
            assertEquals(3, granted);
            assertEquals(3, Db.count("SELECT COUNT(*) FROM quota_reservations WHERE persona_id = ?", persona));
        } finally {
            pool.shutdownNow();
            ids.forEach(quota::release);
        }
        assertEquals(0, Db.count("SELECT COUNT(*) FROM quota_reservations WHERE persona_id = ?", persona));
    }

    static int put(JsonPath ticket, byte[] bytes) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(ticket.getString("url")))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
        Map<String, String> headers = new HashMap<>(ticket.getMap("headers"));
        headers.remove("Content-Length");
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Asks for a presigned upload of {@code size} PNG bytes. */
    private static Response createUpload(String persona, String session, long size) {
        return given().contentType(ContentType.JSON).body(Map.of("personaId", persona, "prompt", "p",
                "sessionId", session, "contentType", "image/png", "size", size)).post("/api/images/uploads");
    }

    @Test
    void aPresignedUploadIsRefusedAtCreationOverTheCapAndHoldsItsRoomOnceCreated() throws Exception {
        String session = unique("s-pre");
        String persona = unique("p-pre");
        JsonPath ticket = createUpload(persona, session, BIG.length).then().statusCode(201).extract().jsonPath();
        stored(BIG, persona, session);
        // The upload's declared bytes are held: the session is full although only one image is stored.
        refusedUntilDeleted(upload(SMALL, persona, session), "session-bytes", QuotaProfiles.SESSION_BYTES,
                2L * BIG.length);
        Response r = createUpload(persona, session, SMALL.length);
        refusedUntilDeleted(r, "session-bytes", QuotaProfiles.SESSION_BYTES, 2L * BIG.length);
        assertEquals(1, Db.count("SELECT COUNT(*) FROM pending_uploads WHERE session_id = ?", session),
                "the refused upload was not created");
        assertEquals(200, put(ticket, BIG));
        given().post("/api/images/uploads/" + ticket.getString("uploadId") + "/complete").then().statusCode(201);
        assertEquals(2, rows("session_id", session));
        assertEquals(2, objects(persona));
        assertEquals(0, Db.count("SELECT COUNT(*) FROM quota_reservations WHERE session_id = ?", session));
    }

    /**
     * If the room was lost after creation (here its reservation is removed, as one that expired would be), the
     * completion is refused: the uploaded object is deleted, the upload closed, no row written.
     */
    @Test
    void aCompletionWithoutRoomDeletesTheUploadedObject() throws Exception {
        String session = unique("s-lost");
        String persona = unique("p-lost");
        JsonPath ticket = createUpload(persona, session, BIG.length).then().statusCode(201).extract().jsonPath();
        assertEquals(200, put(ticket, BIG));
        try (Connection c = Db.openConfigured();
                PreparedStatement ps = c.prepareStatement("DELETE FROM quota_reservations WHERE id = ?")) {
            ps.setString(1, ticket.getString("imageId"));
            assertEquals(1, ps.executeUpdate());
        }
        stored(BIG, persona, session);
        stored(BIG, persona, session);
        String uploadId = ticket.getString("uploadId");
        refusedUntilDeleted(given().post("/api/images/uploads/" + uploadId + "/complete"), "session-bytes",
                QuotaProfiles.SESSION_BYTES, 2L * BIG.length);
        assertEquals(0, rows("id", ticket.getString("imageId")));
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertTrue(bucket.head("uploads/" + uploadId).isEmpty(), "the uploaded object was deleted");
            assertTrue(bucket.head(ticket.getString("key")).isEmpty(), "nothing was copied");
        }
        assertEquals(2, objects(persona));
        given().get("/api/images/uploads/" + uploadId).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("rejected"));
    }
}
