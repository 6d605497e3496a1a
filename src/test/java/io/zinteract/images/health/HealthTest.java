package io.zinteract.images.health;

import io.zinteract.images.support.profile.Profiles;
import io.zinteract.images.support.profile.S3ProxyResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Readiness follows R2 (down within its time-out, up again when it returns); liveness never does. */
@QuarkusTest
@TestProfile(Profiles.R2Storage.class)
class HealthTest {

    @Test
    void readinessTracksTheBucketAndLivenessDoesNot() throws Exception {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("r2"))
                .body("checks.find { it.name == 'r2' }.data.bucket", equalTo(S3ProxyResource.BUCKET))
                .body("checks.find { it.name == 'r2' }.data.endpoint", equalTo(S3ProxyResource.current().endpoint()))
                .body("checks.find { it.name == 'r2' }.data.latencyMs", notNullValue())
                .body("checks.find { it.name == 'Database connections health check' }.status", equalTo("UP"));
        given().get("/q/health/started").then().statusCode(200)
                .body("checks.find { it.name == 'schema' }.status", equalTo("UP"));

        S3ProxyResource.current().stop();
        try {
            long start = System.nanoTime();
            given().get("/q/health/ready").then().statusCode(503).body("status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'r2' }.status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'r2' }.data.error", notNullValue());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(6).toNanos(), "DOWN after at most the 2 s time-out, with room for a loaded machine");
            given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        } finally {
            S3ProxyResource.current().start();
        }
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200);
    }

    @Test
    void everyResponseCarriesARequestId() {
        given().get("/q/health/live").then().header("X-Request-Id", notNullValue());
        given().header("X-Request-Id", "gw-1234").get("/api/images/nope").then().statusCode(404)
                .header("X-Request-Id", "gw-1234");
        given().header("X-Request-Id", "bad id with spaces\u0001").get("/q/health/live")
                .then().header("X-Request-Id", org.hamcrest.Matchers.not(equalTo("bad id with spaces\u0001")));
    }

    @Test
    void forwardedHeadersFromTheGatewayShapeTheUrls() {
        given().header("X-Forwarded-Proto", "https").header("X-Forwarded-Host", "images.example.com")
                .contentType("image/png").body(io.zinteract.images.support.TestImages.png(4, 4, 1))
                .queryParam("personaId", "gen-x").queryParam("prompt", "p").post("/api/images")
                .then().statusCode(201)
                .header("Location", org.hamcrest.Matchers.startsWith("https://images.example.com/api/images/"));
    }
}
