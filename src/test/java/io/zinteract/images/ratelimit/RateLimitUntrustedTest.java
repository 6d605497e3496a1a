package io.zinteract.images.ratelimit;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.ratelimit.RateLimitProfiles.Untrusted;
import io.zinteract.images.support.server.ScriptedProviderServer;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With no trusted gateway every request counts against its TCP peer (here 127.0.0.1), whatever forwarded headers it
 * sends; and the ceiling on provider calls for all clients together answers 503, not 429.
 */
@QuarkusTest
@TestProfile(Untrusted.class)
class RateLimitUntrustedTest {

    @Test
    void forwardedHeadersDoNotEscapeTheLimitWhenNotTrusted() {
        byte[] png = TestImages.png(24, 24, 3);
        for (int i = 0; i < Untrusted.UPLOADS; i++) {
            upload(png, "198.51.100." + i).then().statusCode(201);
        }
        Response refused = upload(png, "203.0.113.9");
        refused.then().statusCode(429).body("code", equalTo("RATE_LIMITED")).body("limit", equalTo("uploads"))
                .body("scope", equalTo("address"));
        given().header("Forwarded", "for=203.0.113.10").multiPart("file", "a.png", png, "image/png")
                .multiPart("personaId", "rl-untrusted").multiPart("prompt", "p").post("/api/images")
                .then().statusCode(429);
        assertEquals(Untrusted.UPLOADS, Db.count("SELECT COUNT(*) FROM images WHERE persona_id = 'rl-untrusted'"));
    }

    static Response upload(byte[] png, String forwardedFor) {
        return given().header("X-Forwarded-For", forwardedFor).multiPart("file", "a.png", png, "image/png")
                .multiPart("personaId", "rl-untrusted").multiPart("prompt", "p").post("/api/images");
    }

    @Test
    void theProviderCeilingIsLoadAnd503WithNothingStored() {
        ScriptedProviderServer.script("b64", 0, false);
        String body = "{\"prompt\":\"a lighthouse\",\"personaId\":\"rl-ceiling\",\"size\":\"256x256\"}";
        for (int i = 0; i < Untrusted.PROVIDER_CALLS; i++) {
            given().contentType(ContentType.JSON).body(body).post("/api/generate-image").then().statusCode(201);
        }
        for (int i = 0; i < 3; i++) {
            Response busy = given().contentType(ContentType.JSON).body(body).post("/api/generate-image");
            busy.then().statusCode(503).contentType("application/problem+json").body("code", equalTo("PROVIDER_BUSY"))
                    .body("limit", equalTo("provider-calls")).body("scope", equalTo("all-clients"));
            long retryAfter = Long.parseLong(busy.header("Retry-After"));
            assertTrue(retryAfter >= 1 && retryAfter <= 3600, "Retry-After " + retryAfter);
            assertEquals("\"provider-calls\";q=" + Untrusted.PROVIDER_CALLS + ";w=3600", busy.header("RateLimit-Policy"));
        }
        assertEquals(Untrusted.PROVIDER_CALLS, ScriptedProviderServer.hits("/v1/images/generations"));
        assertEquals(Untrusted.PROVIDER_CALLS, Db.count("SELECT COUNT(*) FROM images WHERE persona_id = 'rl-ceiling'"),
                "a refused generation leaves no row, not even a failed one");
    }
}
