package io.zinteract.images.storage;

import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.FaultyStorageResource;
import io.zinteract.images.support.profile.Profiles;
import io.zinteract.images.support.profile.S3ProxyResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
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

    @BeforeEach
    void clean() {
        FaultyStorageResource.freshProxy();
    }

    @AfterEach
    void restore() {
        FaultyStorageResource.faults().restore();
    }

    @Test
    void twentyPercent503sAreRetriedSoThatImagesReachR2() {
        // Each attempt fails with about 0.2 (plus the odd connection the store drops after an error); with 5 attempts
        // an upload falls back with well under 1 %. So at least 18 of 20 land in R2, and none is lost either way.
        FaultyStorageResource.faults().fail503(0.2);
        int r2 = 0;
        for (int i = 0; i < 20; i++) {
            if ("r2".equals(uploadAndCheck(i))) {
                r2++;
            }
        }
        assertTrue(r2 >= 18, "uploads that reached R2: " + r2 + " of 20");
        assertTrue(FaultyStorageResource.faults().injected() > 0, "the proxy must have failed some requests");
    }

    @Test
    void resetsAnd429sNeverLoseAnImage() {
        // Whatever the store does, every image ends up stored once, in R2 or (after retries) in the database.
        FaultyStorageResource.faults().fail429(0.1).reset(0.1);
        for (int i = 100; i < 115; i++) {
            uploadAndCheck(i);
        }
        assertTrue(FaultyStorageResource.faults().injected() > 0);
    }

    /** Uploads one image and checks its bytes wherever it was stored; returns the storage. */
    private static String uploadAndCheck(int seed) {
        byte[] png = TestImages.png(32, 32, seed);
        var r = given().contentType("image/png").body(png).queryParam("personaId", "gen-x").queryParam("prompt", "p" + seed)
                .post("/api/images").then().statusCode(201).extract().response();
        String storage = r.path("storage");
        if ("r2".equals(storage)) {
            try (BucketClient bucket = new BucketClient(S3ProxyResource.current().endpoint(), S3ProxyResource.BUCKET)) {
                assertArrayEquals(png, bucket.get(r.path("r2Key")).asByteArray());
            }
        } else {
            assertArrayEquals(png, java.util.Base64.getDecoder().decode((String) io.zinteract.images.support.Db
                    .rows("SELECT image_data FROM images WHERE id = ?", (Object) r.path("id")).get(0).get("image_data")));
        }
        return storage;
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
