package io.zinteract.images.health;

import io.zinteract.images.support.profile.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A store that never answers turns readiness DOWN after the probe's time-out (1 s here), never after the SDK's 30 s. */
@QuarkusTest
@TestProfile(Profiles.BlackholeStorage.class)
class BlackholeHealthTest {

    @Test
    void aSilentStoreIsReportedDownInTime() {
        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            given().get("/q/health/ready").then().statusCode(503)
                    .body("checks.find { it.name == 'r2' }.status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'r2' }.data.error", containsString("no answer"));
            long elapsed = System.nanoTime() - start;
            // The probe's own time-out is 1 s; the SDK's call time-out is 30 s. Well under the latter proves the probe does
            // not wait for the store, with room for a loaded machine.
            assertTrue(elapsed < Duration.ofSeconds(6).toNanos(), "took " + elapsed / 1_000_000 + " ms");
        }
        given().get("/q/health/live").then().statusCode(200);
    }
}
