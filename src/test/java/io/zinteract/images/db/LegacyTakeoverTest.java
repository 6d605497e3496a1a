package io.zinteract.images.db;

import io.zinteract.images.support.Db;
import io.zinteract.images.support.LegacyDatabase;
import io.zinteract.images.support.Sha;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The service pointed at a database the legacy app created: Flyway baselines it, only adds columns, and every legacy
 * row is served through the API as the app stored it.
 */
@QuarkusTest
@TestProfile(Profiles.LegacyTakeover.class)
class LegacyTakeoverTest {

    @Test
    void flywayBaselinesAndOnlyAddsColumns() {
        List<Map<String, Object>> history = Db.rows(
                "SELECT version, type, success FROM flyway_schema_history ORDER BY installed_rank");
        assertEquals("0", history.get(0).get("version"));
        assertEquals("BASELINE", history.get(0).get("type"));
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), history.stream().map(r -> String.valueOf(r.get("version"))).toList());
        assertTrue(history.stream().allMatch(r -> ((Number) r.get("success")).intValue() == 1));

        List<String> columns = Db.rows("SELECT name FROM pragma_table_info('images') ORDER BY cid").stream()
                .map(r -> (String) r.get("name")).toList();
        assertEquals(List.of("id", "session_id", "participant_id", "table_id", "persona_id", "persona_title", "image_url",
                "image_data", "image_mime_type", "prompt", "provider", "status", "r2_key", "migration_status",
                "migrated_at", "created_at", "updated_at", "content_type", "size_bytes", "sha256", "storage_class",
                "etag", "original_image_url", "failure_reason", "thumbhash"), columns);
        assertEquals(6, Db.count("SELECT COUNT(*) FROM images WHERE session_id = 's-legacy'"));
        assertEquals(0, Db.count("SELECT COUNT(*) FROM pending_uploads"), "V5 adds its own table beside the legacy ones");
        assertEquals(0, Db.count("SELECT COUNT(*) FROM image_variants"), "V7 adds its own table too");
        assertEquals(0, Db.count("SELECT COUNT(*) FROM rate_limit_buckets"), "V8 adds its table, unused on SQLite");
        assertEquals(0, Db.count("SELECT COUNT(*) FROM quota_reservations"), "V9 adds the quota tables");
        assertEquals(0, Db.count("SELECT COUNT(*) FROM quota_generations"));
        assertEquals(1, Db.count("SELECT COUNT(*) FROM sessions WHERE name = 'Workshop Berlin'"));
        assertEquals(1, Db.count("SELECT COUNT(*) FROM __drizzle_migrations"));
        Map<String, Object> row = Db.rows("SELECT * FROM images WHERE id = ?", LegacyDatabase.PNG_ROW).get(0);
        assertEquals("pending", row.get("migration_status"), "the legacy default must still apply");
        assertEquals(1718000001L, ((Number) row.get("created_at")).longValue());
    }

    @Test
    void legacyRowsAreServedAsTheAppStoredThem() {
        assertArrayEquals(LegacyDatabase.PNG, given().get("/api/images/" + LegacyDatabase.PNG_ROW)
                .then().statusCode(200).contentType("image/png").header("X-Image-Storage", "base64")
                .header("ETag", "\"" + Sha.sha256(LegacyDatabase.PNG) + "\"").extract().asByteArray());
        assertArrayEquals(LegacyDatabase.JPEG, given().get("/api/images/" + LegacyDatabase.DATA_URL_ROW)
                .then().statusCode(200).contentType("image/jpeg").extract().asByteArray());
        assertArrayEquals(LegacyDatabase.WEBP, given().get("/api/images/" + LegacyDatabase.BOTH_ROW)
                .then().statusCode(200).contentType("image/webp").header("X-Image-Storage", "base64")
                .extract().asByteArray());
        // The bytes decide the type: this row's legacy mime type says JPEG but it holds a PNG.
        assertArrayEquals(LegacyDatabase.PNG, given().get("/api/images/" + LegacyDatabase.WRONG_MIME_ROW)
                .then().statusCode(200).contentType("image/png").extract().asByteArray());
        given().redirects().follow(false).get("/api/images/" + LegacyDatabase.EXTERNAL_ROW)
                .then().statusCode(302).header("Location", LegacyDatabase.EXTERNAL_URL)
                .header("X-Image-Storage", "external");
        given().get("/api/images/" + LegacyDatabase.EMPTY_ROW).then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("IMAGE_CONTENT_MISSING"));
    }

    @Test
    void legacyMetadataAndListingWork() {
        given().get("/api/images/" + LegacyDatabase.EXTERNAL_ROW + "/meta").then().statusCode(200)
                .body("personaId", equalTo("millennial")).body("personaTitle", equalTo("Title of millennial"))
                .body("storage", equalTo("external")).body("imageUrl", equalTo(LegacyDatabase.EXTERNAL_URL))
                .body("sessionId", equalTo("s-legacy")).body("provider", equalTo("openai"))
                .body("migrationStatus", equalTo("pending")).body("createdAt", equalTo(1718000003));
        given().get("/api/images/" + LegacyDatabase.PNG_ROW + "/meta").then().statusCode(200)
                .body("storage", equalTo("base64")).body("contentType", equalTo("image/png")).body("size", nullValue());
        List<String> ids = given().queryParam("sessionId", "s-legacy").get("/api/images").then().statusCode(200)
                .extract().path("items.id");
        assertEquals(List.of(LegacyDatabase.WRONG_MIME_ROW, LegacyDatabase.EMPTY_ROW, LegacyDatabase.BOTH_ROW,
                LegacyDatabase.EXTERNAL_ROW, LegacyDatabase.DATA_URL_ROW, LegacyDatabase.PNG_ROW), ids);
    }

    @Test
    void newUploadsLandBesideLegacyRows() {
        byte[] png = TestImages.png(10, 10, 5);
        String id = given().contentType("image/png").body(png).queryParam("personaId", "gen-x").queryParam("prompt", "new")
                .post("/api/images").then().statusCode(201).extract().path("id");
        assertArrayEquals(png, given().get("/api/images/" + id).then().statusCode(200).extract().asByteArray());
        Map<String, Object> row = Db.rows("SELECT created_at, updated_at, status FROM images WHERE id = ?", id).get(0);
        assertEquals(row.get("created_at"), row.get("updated_at"));
        assertEquals("completed", row.get("status"));
        assertEquals(6, Db.count("SELECT COUNT(*) FROM images WHERE session_id = 's-legacy'"));
        assertEquals(0, Db.count("SELECT COUNT(*) FROM pending_uploads"), "V5 adds its own table beside the legacy ones");
        assertEquals(Map.of(), Db.rows("SELECT id FROM images WHERE created_at IS NULL").stream()
                .collect(Collectors.toMap(r -> r.get("id"), r -> r)));
    }
}
