package io.zinteract.images.ratelimit;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.zinteract.images.support.Admin;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.ratelimit.RateLimitProfiles.Trusted;
import io.zinteract.images.support.profile.S3ProxyResource;
import io.zinteract.images.support.server.ScriptedProviderServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-client limits behind a trusted gateway: each test is its own client (its own X-Forwarded-For address, sessions
 * of its own), so the tests share one application and its buckets without seeing each other. Capacities are per hour
 * ({@link Trusted}): nothing refills while a test runs, so every count below is exact.
 */
@QuarkusTest
@TestProfile(Trusted.class)
class RateLimitTest {

    static final String RETRY_AFTER = "Retry-After";

    @BeforeEach
    void freshProvider() {
        ScriptedProviderServer.script("b64", 0, false);
    }

    static Response generate(String address, String persona, String extraJson) {
        return given().header("X-Forwarded-For", address).contentType(ContentType.JSON)
                .body("{\"prompt\":\"a lighthouse\",\"personaId\":\"" + persona + "\",\"size\":\"256x256\"" + extraJson + "}")
                .post("/api/generate-image");
    }

    static long rows(String persona) {
        return Db.count("SELECT COUNT(*) FROM images WHERE persona_id = ?", persona);
    }

    static void assertRefused(Response r, String limit, String scope, int capacity) {
        r.then().statusCode(429).contentType("application/problem+json").body("code", equalTo("RATE_LIMITED"))
                .body("limit", equalTo(limit)).body("scope", equalTo(scope));
        long retryAfter = Long.parseLong(r.header(RETRY_AFTER));
        assertTrue(retryAfter >= 1 && retryAfter <= 3600, "Retry-After " + retryAfter);
        assertEquals("\"" + limit + "\";q=" + capacity + ";w=3600", r.header("RateLimit-Policy"));
        assertEquals("\"" + limit + "\";r=0;t=" + retryAfter, r.header("RateLimit"));
        assertEquals(retryAfter, ((Number) r.path("retryAfterSeconds")).longValue());
        // One value each: a session refusal replaces the address bucket's headers, it does not add to them.
        assertEquals(1, r.headers().getValues("RateLimit").size());
        assertEquals(1, r.headers().getValues("RateLimit-Policy").size());
        assertEquals(1, r.headers().getValues(RETRY_AFTER).size());
    }

    static double refusals(String limit, String endpoint) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^rate_limit_refused_total\\{endpoint=\"" + endpoint + "\",limit=\"" + limit
                + "\"[^}]*} ([0-9.E]+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void oneClientHammeringGenerateGetsExactlyTheCapacityThrough() {
        double refusedBefore = refusals("generate", "generate-image");
        for (int i = 1; i <= Trusted.GENERATE; i++) {
            Response ok = generate("198.51.100.1", "rl-hammer", "");
            ok.then().statusCode(201);
            assertEquals("\"generate\";q=" + Trusted.GENERATE + ";w=3600", ok.header("RateLimit-Policy"));
            assertTrue(ok.header("RateLimit").startsWith("\"generate\";r=" + (Trusted.GENERATE - i) + ";t="),
                    ok.header("RateLimit"));
        }
        for (int i = 0; i < 4; i++) {
            assertRefused(generate("198.51.100.1", "rl-hammer", ""), "generate", "address", Trusted.GENERATE);
        }
        assertEquals(Trusted.GENERATE, ScriptedProviderServer.hits("/v1/images/generations"));
        assertEquals(Trusted.GENERATE, rows("rl-hammer"), "refused requests stored nothing");
        assertEquals(4, refusals("generate", "generate-image") - refusedBefore, 0.0);

        // A second client is unaffected.
        generate("198.51.100.2", "rl-hammer", "").then().statusCode(201);
        assertEquals(Trusted.GENERATE + 1, ScriptedProviderServer.hits("/v1/images/generations"));
    }

    @Test
    void theClientIsTheGatewaysElementAndItsSpellingsAreOneBucket() {
        for (int i = 0; i < Trusted.GENERATE; i++) {
            generate("198.51.100.3", "rl-spoof", "").then().statusCode(201);
        }
        // A client prepending its own X-Forwarded-For: the gateway appends the real address, and that one counts.
        assertRefused(generate("203.0.113.50, 198.51.100.3", "rl-spoof", ""), "generate", "address", Trusted.GENERATE);
        assertRefused(given().header("X-Forwarded-For", "203.0.113.51").header("X-Forwarded-For", "198.51.100.3")
                .contentType(ContentType.JSON).body("{\"prompt\":\"p\",\"personaId\":\"rl-spoof\"}")
                .post("/api/generate-image"), "generate", "address", Trusted.GENERATE);
        // The same address spelled as IPv4-mapped IPv6, with a port, in brackets.
        assertRefused(generate("::ffff:198.51.100.3", "rl-spoof", ""), "generate", "address", Trusted.GENERATE);
        assertRefused(generate("198.51.100.3:4711", "rl-spoof", ""), "generate", "address", Trusted.GENERATE);
        assertRefused(generate("[::FFFF:c633:6403]:80", "rl-spoof", ""), "generate", "address", Trusted.GENERATE);
        assertEquals(Trusted.GENERATE, rows("rl-spoof"));
        assertEquals(Trusted.GENERATE, ScriptedProviderServer.hits("/v1/images/generations"));
    }

    @Test
    void ipv6ClientsAreLimitedPerSlash64() {
        for (int i = 1; i <= Trusted.GENERATE; i++) {
            generate("2001:db8:aa:1::" + i, "rl-v6", "").then().statusCode(201);
        }
        assertRefused(generate("2001:DB8:AA:1:ffff:1:2:3%eth0", "rl-v6", ""), "generate", "address", Trusted.GENERATE);
        generate("2001:db8:aa:2::1", "rl-v6", "").then().statusCode(201);
        assertEquals(Trusted.GENERATE + 1, rows("rl-v6"));
    }

    @Test
    void aSessionHasItsOwnBucketAcrossAddresses() {
        for (int i = 1; i <= Trusted.GENERATE; i++) {
            generate("198.51.100." + (10 + i), "rl-session", ",\"sessionId\":\"s-rl-1\"").then().statusCode(201);
        }
        assertRefused(generate("198.51.100.20", "rl-session", ",\"sessionId\":\"s-rl-1\""), "generate", "session",
                Trusted.GENERATE);
        // The same address with no session passes: its address bucket still holds tokens.
        generate("198.51.100.20", "rl-session", "").then().statusCode(201);
        // A participant's bucket as well.
        for (int i = 1; i <= Trusted.GENERATE; i++) {
            generate("198.51.100." + (30 + i), "rl-session", ",\"participantId\":\"p-rl-1\"").then().statusCode(201);
        }
        assertRefused(generate("198.51.100.40", "rl-session", ",\"participantId\":\"p-rl-1\""), "generate",
                "participant", Trusted.GENERATE);
        assertEquals(2L * Trusted.GENERATE + 1, rows("rl-session"));
        assertEquals(2 * Trusted.GENERATE + 1, ScriptedProviderServer.hits("/v1/images/generations"));
    }

    @Test
    void wrongAdminKeysAreSlowedThenEvenTheRightKeyWaits() {
        String address = "198.51.100.60";
        // Right keys never spend the allowance.
        for (int i = 0; i < Trusted.ADMIN_FAILURES + 2; i++) {
            admin(address, Admin.KEY).then().statusCode(404);
        }
        for (int i = 0; i < Trusted.ADMIN_FAILURES; i++) {
            admin(address, "wrong-key-" + i + "-0123456789").then().statusCode(401).body("code", equalTo("UNAUTHORIZED"));
        }
        Response refused = admin(address, Admin.KEY);
        assertRefused(refused, "admin-failures", "address", Trusted.ADMIN_FAILURES);
        assertRefused(admin(address, "wrong-again-0123456789"), "admin-failures", "address", Trusted.ADMIN_FAILURES);
        // Another address is unaffected.
        admin("198.51.100.61", Admin.KEY).then().statusCode(404);
    }

    static Response admin(String address, String key) {
        return given().header("X-Forwarded-For", address).header("Authorization", "Bearer " + key)
                .delete("/api/images/no-such-image");
    }

    @Test
    void refusedUploadsStoreNothing() {
        String address = "198.51.100.70";
        byte[] png = TestImages.png(32, 32, 7);
        for (int i = 0; i < Trusted.UPLOADS; i++) {
            upload(address, png).then().statusCode(201);
        }
        long rows = rows("rl-upload");
        int objects = objects();
        assertRefused(upload(address, png), "uploads", "address", Trusted.UPLOADS);
        assertRefused(given().header("X-Forwarded-For", address).contentType("image/png").body(png)
                .queryParam("personaId", "rl-upload").queryParam("prompt", "raw").post("/api/images"),
                "uploads", "address", Trusted.UPLOADS);
        assertEquals(Trusted.UPLOADS, rows);
        assertEquals(rows, rows("rl-upload"));
        assertEquals(objects, objects());
        // A session named in the form has its own bucket, checked before anything is stored.
        for (int i = 0; i < Trusted.UPLOADS; i++) {
            upload("198.51.100." + (71 + i), png, "s-rl-upload").then().statusCode(201);
        }
        objects = objects();
        assertRefused(upload("198.51.100.79", png, "s-rl-upload"), "uploads", "session", Trusted.UPLOADS);
        assertEquals(2L * Trusted.UPLOADS, rows("rl-upload"));
        assertEquals(objects, objects());
    }

    @Test
    void otherSpellingsOfALimitedPathMeetTheSameBucket() throws Exception {
        String address = "198.51.100.100";
        byte[] png = TestImages.png(16, 16, 11);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.util.List<Integer> statuses = new java.util.ArrayList<>();
        for (String path : new String[] { "/api/images", "/api/images/", "/api/images;v=1", "/api/x/../images",
                "/api/%69mages", "/api/images;a=b/" }) {
            java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    "http://localhost:" + io.restassured.RestAssured.port + path + "?personaId=rl-paths&prompt=p"))
                    .header("X-Forwarded-For", address).header("Content-Type", "image/png")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(png)).build();
            statuses.add(http.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode());
        }
        // All reach the upload resource; without the filter's normalisation the matrix-parameter spellings got 201s.
        assertEquals(java.util.List.of(201, 201, 429, 429, 429, 429), statuses);
        assertEquals(Trusted.UPLOADS, rows("rl-paths"));
    }

    static Response upload(String address, byte[] png) {
        return given().header("X-Forwarded-For", address).multiPart("file", "a.png", png, "image/png")
                .multiPart("personaId", "rl-upload").multiPart("prompt", "a test").post("/api/images");
    }

    static Response upload(String address, byte[] png, String session) {
        return given().header("X-Forwarded-For", address).multiPart("file", "a.png", png, "image/png")
                .multiPart("personaId", "rl-upload").multiPart("prompt", "a test").multiPart("sessionId", session)
                .post("/api/images");
    }

    static int objects() {
        try (BucketClient bucket = new BucketClient(S3ProxyResource.current().endpoint(), S3ProxyResource.BUCKET)) {
            return bucket.list("").size();
        }
    }

    @Test
    void refusedIngestsFetchNothingAndStoreNothing() {
        String address = "198.51.100.80";
        String body = "{\"url\":\"" + ScriptedProviderServer.base() + "/img/ok.png\",\"personaId\":\"rl-ingest\","
                + "\"prompt\":\"from a url\"}";
        for (int i = 0; i < Trusted.INGEST; i++) {
            given().header("X-Forwarded-For", address).contentType(ContentType.JSON).body(body)
                    .post("/api/images/ingest").then().statusCode(201);
        }
        int objects = objects();
        assertRefused(given().header("X-Forwarded-For", address).contentType(ContentType.JSON).body(body)
                .post("/api/images/ingest"), "ingest", "address", Trusted.INGEST);
        assertEquals(Trusted.INGEST, ScriptedProviderServer.hits("/img/ok.png"), "no fetch for the refused one");
        assertEquals(Trusted.INGEST, rows("rl-ingest"));
        assertEquals(objects, objects());
    }

    @Test
    void refusedPresignedUploadsLeaveNoPendingUpload() {
        String address = "198.51.100.90";
        String body = "{\"personaId\":\"rl-presign\",\"prompt\":\"p\",\"contentType\":\"image/png\",\"size\":1000}";
        for (int i = 0; i < Trusted.PRESIGN; i++) {
            given().header("X-Forwarded-For", address).contentType(ContentType.JSON).body(body)
                    .post("/api/images/uploads").then().statusCode(201);
        }
        long pending = Db.count("SELECT COUNT(*) FROM pending_uploads");
        Response refused = given().header("X-Forwarded-For", address).contentType(ContentType.JSON).body(body)
                .post("/api/images/uploads");
        assertRefused(refused, "presign", "address", Trusted.PRESIGN);
        assertNotNull(refused.path("detail"));
        assertEquals(pending, Db.count("SELECT COUNT(*) FROM pending_uploads"));
    }
}
