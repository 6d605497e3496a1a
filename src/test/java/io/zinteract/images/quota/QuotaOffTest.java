package io.zinteract.images.quota;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.profile.Profiles;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Every cap off (the default): no limit on anything, and the quota tables are never even written. */
@QuarkusTest
@TestProfile(Profiles.R2Storage.class)
class QuotaOffTest {

    @Test
    void withEveryCapOffNothingIsLimitedOrRecorded() {
        String session = QuotaTest.unique("s-off");
        String persona = QuotaTest.unique("p-off");
        for (int i = 0; i < 6; i++) {
            QuotaTest.stored(QuotaProfiles.BIG, persona, session);
        }
        String body = "{\"prompt\":\"a lighthouse\",\"personaId\":\"" + persona + "\",\"sessionId\":\"" + session + "\"}";
        for (int i = 0; i < 4; i++) {
            given().contentType(ContentType.JSON).body(body).post("/api/generate-image").then().statusCode(201);
        }
        assertEquals(10, QuotaTest.rows("session_id", session));
        assertEquals(10, QuotaTest.objects(persona));
        assertEquals(0, Db.count("SELECT COUNT(*) FROM quota_reservations"));
        assertEquals(0, Db.count("SELECT COUNT(*) FROM quota_generations"));
        assertFalse(given().get("/q/metrics").then().extract().asString().contains("quota_refused_total{"));
    }
}
