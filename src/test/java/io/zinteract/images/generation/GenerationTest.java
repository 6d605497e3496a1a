package io.zinteract.images.generation;

import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.Sha;
import io.zinteract.images.support.profile.Profiles;
import io.zinteract.images.support.profile.S3ProxyResource;
import io.zinteract.images.support.server.ScriptedProviderServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /api/generate-image} against a real HTTP server playing the provider, with R2 storage on: the row's
 * life cycle, retries, the outage answer, and every refusal of a hostile image URL.
 */
@QuarkusTest
@TestProfile(Profiles.GenerationWithR2.class)
class GenerationTest {

    @Inject
    CircuitBreakerMaintenance breakers;

    @BeforeEach
    void freshProvider() {
        breakers.resetAll();
        ScriptedProviderServer.script("url:/img/ok.png", 0, false);
    }

    static Response generate(String body) {
        return given().contentType("application/json").body(body).post("/api/generate-image");
    }

    static final String REQUEST = "{\"prompt\":\"a lighthouse\",\"personaId\":\"gen-z\",\"sessionId\":\"s-7\",\"size\":\"512x512\"}";

    @Test
    void aProviderUrlIsFetchedAndStoredInR2() {
        Response r = generate(REQUEST).then().statusCode(201)
                .body("storage.type", equalTo("r2"))
                .body("generation.provider", equalTo("openai")).body("generation.placeholder", equalTo(false))
                .body("generation.size", equalTo("512x512")).body("generation.quality", equalTo("standard"))
                .body("originalUrl", equalTo(ScriptedProviderServer.base() + "/img/ok.png"))
                .body("storage.details.sha256", equalTo(Sha.sha256(ScriptedProviderServer.IMAGE)))
                .extract().response();
        String id = r.path("id");
        assertTrue(r.header("Location").endsWith("/api/images/" + id));
        assertEquals("Bearer sk-test-secret", ScriptedProviderServer.lastAuthorization());
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertArrayEquals(ScriptedProviderServer.IMAGE, bucket.get(r.path("storage.r2Key")).asByteArray());
        }
        Map<String, Object> row = Db.rows("SELECT status, provider, r2_key, image_data, prompt, session_id FROM images WHERE id = ?", id).get(0);
        assertEquals("completed", row.get("status"));
        assertEquals("openai", row.get("provider"));
        assertEquals(r.path("storage.r2Key"), row.get("r2_key"));
        assertEquals(null, row.get("image_data"));
        assertEquals("a lighthouse", row.get("prompt"));
        assertEquals("s-7", row.get("session_id"));
        given().redirects().follow(false).get("/api/images/" + id).then().statusCode(302).header("X-Image-Storage", "r2");
    }

    @Test
    void b64JsonAnswersAreStoredWithoutAFetch() {
        ScriptedProviderServer.script("b64", 0, false);
        String key = generate(REQUEST).then().statusCode(201).body("originalUrl", nullValue())
                .body("storage.type", equalTo("r2")).extract().path("storage.r2Key");
        assertEquals(0, ScriptedProviderServer.hits("/img/ok.png"));
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertArrayEquals(ScriptedProviderServer.IMAGE, bucket.get(key).asByteArray());
        }
    }

    @Test
    void providerErrorsAreRetriedUntilItAnswers() {
        // Two 500s, then success: three calls in all (maxRetries is 3).
        ScriptedProviderServer.script("url:/img/ok.png", 2, false);
        generate(REQUEST).then().statusCode(201).body("storage.type", equalTo("r2"));
        assertEquals(3, ScriptedProviderServer.hits("/v1/images/generations"));
    }

    @Test
    void aProviderThatStaysDownGets503AndNothingIsStored() {
        ScriptedProviderServer.script("url:/img/ok.png", 0, true);
        long rows = Db.count("SELECT COUNT(*) FROM images");
        int objects = objectCount();
        generate(REQUEST).then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", "10").body("code", equalTo("PROVIDER_UNAVAILABLE"));
        assertEquals(4, ScriptedProviderServer.hits("/v1/images/generations"), "one call and three retries");
        assertEquals(rows, Db.count("SELECT COUNT(*) FROM images"), "no row may be left behind");
        assertEquals(0, Db.count("SELECT COUNT(*) FROM images WHERE status = 'generating'"));
        assertEquals(objects, objectCount());
    }

    @Test
    void aRefusedPromptLeavesAFailedRowThatSaysWhy() {
        ScriptedProviderServer.script("refuse", 0, false);
        String id = generate(REQUEST).then().statusCode(502).contentType("application/problem+json")
                .body("code", equalTo("PROVIDER_FAILED")).extract().path("imageId");
        assertEquals(1, ScriptedProviderServer.hits("/v1/images/generations"), "a 400 is not retried");
        Map<String, Object> row = Db.rows("SELECT status, failure_reason FROM images WHERE id = ?", id).get(0);
        assertEquals("failed", row.get("status"));
        assertTrue(((String) row.get("failure_reason")).contains("safety system"));
    }

    @Test
    void eachHostileImageUrlIsRefusedWithItsOwnCode() {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("url:/img/redirect-loopback", "INGEST_LOOPBACK_ADDRESS");
        cases.put("url:http://10.20.30.40/x.png", "INGEST_PRIVATE_ADDRESS");
        cases.put("url:http://169.254.169.254/latest/meta-data/", "INGEST_METADATA_ADDRESS");
        cases.put("url:http://169.254.10.1/x.png", "INGEST_LINK_LOCAL_ADDRESS");
        cases.put("url:http://[::ffff:127.0.0.1]/x.png", "INGEST_LOOPBACK_ADDRESS");
        cases.put("url:/img/html", "INGEST_NOT_AN_IMAGE");
        cases.put("url:/img/hostile/0", "IMAGE_TRAILING_DATA");
        cases.put("url:/img/hostile/4", "IMAGE_TOO_MANY_PIXELS");
        cases.put("url:/img/huge-declared", "INGEST_TOO_LARGE");
        cases.put("url:/img/huge-streamed", "INGEST_TOO_LARGE");
        cases.put("url:/img/redirect-loop", "INGEST_TOO_MANY_REDIRECTS");
        cases.put("url:http://evil.example.net/x.png", "INGEST_HOST_NOT_ALLOWED");
        cases.put("url:ftp://" + ScriptedProviderServer.HOST + "/x.png", "INGEST_SCHEME_NOT_ALLOWED");
        cases.put("url:/img/missing.png", "INGEST_UPSTREAM_FAILED");
        cases.forEach((script, reason) -> {
            ScriptedProviderServer.script(script, 0, false);
            String id = generate(REQUEST).then().statusCode(502).contentType("application/problem+json")
                    .body("code", equalTo("PROVIDER_FAILED")).body("reason", equalTo(reason))
                    .extract().path("imageId");
            assertEquals("failed", Db.rows("SELECT status FROM images WHERE id = ?", id).get(0).get("status"), script);
            assertEquals(0, ScriptedProviderServer.hits("/img/ok.png"), script + " must not reach the image behind it");
        });
    }

    @Test
    void aSafeRedirectIsFollowed() {
        ScriptedProviderServer.script("url:/img/redirect-ok", 0, false);
        generate(REQUEST).then().statusCode(201);
        assertEquals(1, ScriptedProviderServer.hits("/img/ok.png"));
    }

    @Test
    void r2DownFallsBackToBase64() {
        S3ProxyResource.current().stop();
        String id;
        try {
            id = generate(REQUEST).then().statusCode(201).body("storage.type", equalTo("base64"))
                    .body("storage.details.fallback", equalTo(true)).extract().path("id");
        } finally {
            S3ProxyResource.current().start();
        }
        assertArrayEquals(ScriptedProviderServer.IMAGE, given().get("/api/images/" + id).then().statusCode(200)
                .extract().asByteArray());
    }

    @Test
    void thePlaceholderProviderWorksWithoutAnAccountAndIsDeterministic() {
        String body = "{\"prompt\":\"a lighthouse\",\"personaId\":\"gen-z\",\"provider\":\"placeholder\",\"size\":\"256x256\"}";
        Response first = generate(body).then().statusCode(201).body("generation.provider", equalTo("placeholder"))
                .body("generation.placeholder", equalTo(true)).body("storage.details.contentType", equalTo("image/png"))
                .extract().response();
        String second = generate(body).then().statusCode(201).extract().path("storage.details.sha256");
        assertEquals(first.path("storage.details.sha256"), second, "same prompt, same bytes");
        String other = generate(body.replace("lighthouse", "harbour")).then().statusCode(201)
                .extract().path("storage.details.sha256");
        assertTrue(!other.equals(second));
        assertEquals(0, ScriptedProviderServer.hits("/v1/images/generations"));
    }

    @Test
    void badRequestsAre400AndStartNothing() {
        long rows = Db.count("SELECT COUNT(*) FROM images");
        for (String body : new String[] {
                "{\"personaId\":\"gen-z\"}",
                "{\"prompt\":\"  \",\"personaId\":\"gen-z\"}",
                "{\"prompt\":\"" + "x".repeat(4001) + "\",\"personaId\":\"gen-z\"}",
                "{\"prompt\":\"p\",\"personaId\":\"gen z!\"}",
                "{\"prompt\":\"p\"}",
                "{\"prompt\":\"p\",\"personaId\":\"gen-z\",\"size\":\"1000x1000\"}",
                "{\"prompt\":\"p\",\"personaId\":\"gen-z\",\"quality\":\"ultra\"}",
                "{\"prompt\":\"p\",\"personaId\":\"gen-z\",\"provider\":\"midjourney\"}",
                "{\"prompt\":\"p\",\"personaId\":\"gen-z\",\"size\":42}",
                "{\"prompt\":\"p\",",
                "[1,2]"}) {
            generate(body).then().log().ifValidationFails().statusCode(400).contentType("application/problem+json");
        }
        assertEquals(rows, Db.count("SELECT COUNT(*) FROM images"));
        assertEquals(0, ScriptedProviderServer.hits("/v1/images/generations"));
    }

    private static int objectCount() {
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            return bucket.list("").size();
        }
    }
}
