package io.zinteract.images.generation;

import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.profile.Profiles;
import io.zinteract.images.support.server.ScriptedProviderServer;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** With ENABLE_R2_STORAGE=false a generated image is stored base64 in its row, as the legacy app did. */
@QuarkusTest
@TestProfile(Profiles.GenerationWithBase64.class)
class GenerationBase64Test {

    @Test
    void generatedImagesAreStoredBase64AndServed() {
        ScriptedProviderServer.script("url:/img/ok.png", 0, false);
        String id = given().contentType("application/json")
                .body("{\"prompt\":\"a lighthouse\",\"personaId\":\"gen-z\",\"personaTitle\":\"Gen Z\"}")
                .post("/api/generate-image").then().statusCode(201)
                .body("storage.type", equalTo("base64")).body("storage.r2Key", nullValue())
                .body("storage.details.fallback", equalTo(false))
                .extract().path("id");
        Map<String, Object> row = Db.rows("SELECT status, image_data, image_mime_type, persona_title FROM images WHERE id = ?", id).get(0);
        assertEquals("completed", row.get("status"));
        assertEquals("image/png", row.get("image_mime_type"));
        assertEquals("Gen Z", row.get("persona_title"));
        assertArrayEquals(ScriptedProviderServer.IMAGE, Base64.getDecoder().decode((String) row.get("image_data")));
        assertArrayEquals(ScriptedProviderServer.IMAGE, given().get("/api/images/" + id).then().statusCode(200)
                .header("X-Image-Storage", "base64").extract().asByteArray());
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertEquals(0, bucket.list("").size());
        }
    }
}
