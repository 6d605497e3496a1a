package io.zinteract.images.storage;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.FaultyStorageResource;
import io.zinteract.images.support.Profiles;
import io.zinteract.images.support.S3ProxyResource;
import io.zinteract.images.support.TestImages;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Uploads through a store that answers 503, 429, resets connections or is slow: retries carry every image through. */
@QuarkusTest
@TestProfile(Profiles.FaultyStorage.class)
class FaultInjectionTest {

    @Inject
    CircuitBreakerMaintenance breakers;

    @BeforeEach
    void clean() {
        breakers.resetAll();
        FaultyStorageResource.faults().restore();
    }

    @AfterEach
    void restore() {
        FaultyStorageResource.faults().restore();
    }

    @Test
    void transientErrorsAreRetriedUntilTheImageIsStored() {
        // 20 % 503, 10 % 429, 10 % resets: with 5 attempts per call each upload fails for good with 0.4^5 ≈ 1 %,
        // and a fallback would show as storage=base64; 20 uploads all in R2 prove the retries did their work.
        FaultyStorageResource.faults().fail503(0.2).fail429(0.1).reset(0.1);
        int r2 = 0;
        for (int i = 0; i < 20; i++) {
            byte[] png = TestImages.png(32, 32, i);
            var r = given().contentType("image/png").body(png).queryParam("personaId", "gen-x").queryParam("prompt", "p" + i)
                    .post("/api/images").then().statusCode(201).extract().response();
            if ("r2".equals(r.path("storage"))) {
                r2++;
                try (BucketClient bucket = new BucketClient(S3ProxyResource.current().endpoint(), S3ProxyResource.BUCKET)) {
                    assertArrayEquals(png, bucket.get(r.path("r2Key")).asByteArray());
                }
            }
        }
        assertTrue(r2 >= 19, "uploads that reached R2: " + r2);
        assertTrue(FaultyStorageResource.faults().injected() > 0);
    }

    @Test
    void aSlowStoreStillServesWithinTheTimeouts() {
        FaultyStorageResource.faults().latency(300);
        byte[] png = TestImages.png(16, 16, 99);
        long start = System.nanoTime();
        given().contentType("image/png").body(png).queryParam("personaId", "gen-x").queryParam("prompt", "slow")
                .post("/api/images").then().statusCode(201).body("storage", equalTo("r2"));
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(300).toNanos());
    }

    @Test
    void aCutStoreMakesUploadsFallBackAndReadinessDown() {
        FaultyStorageResource.faults().cut();
        given().contentType("image/png").body(TestImages.png(8, 8, 5)).queryParam("personaId", "gen-x")
                .queryParam("prompt", "cut").post("/api/images").then().statusCode(201).body("storage", equalTo("base64"))
                .body("fallback", equalTo(true));
        given().get("/q/health/ready").then().statusCode(503);
        FaultyStorageResource.faults().restore();
        given().get("/q/health/ready").then().statusCode(200);
    }
}
