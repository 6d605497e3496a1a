package io.zinteract.images.migration;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.MigrationProfile;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static io.zinteract.images.migration.MigrationApi.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, point 1: legacy ids and persona ids as z-interact wrote them, migrated into S3Proxy and SQLite. Every row
 * gets its own object and reads back byte for byte; a key that holds another image's object is never overwritten,
 * and dry run, migrate and validate say so.
 */
@QuarkusTest
@TestProfile(MigrationProfile.class)
class KeyCollisionTest extends MigrationTestBase {

    void insert(String id, String persona, byte[] bytes, String r2Key) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO images (id, "
                + "persona_id, persona_title, image_data, image_mime_type, prompt, provider, status, migration_status, "
                + "r2_key, created_at, updated_at) VALUES (?, ?, 'T', ?, 'image/png', 'p', 'openai', 'completed', ?, ?, "
                + "1700000000, 1700000000)")) {
            ps.setString(1, id);
            ps.setString(2, persona);
            ps.setString(3, r2Key == null ? Base64.getEncoder().encodeToString(bytes) : null);
            ps.setString(4, r2Key == null ? "pending" : "completed");
            ps.setString(5, r2Key);
            ps.executeUpdate();
        }
    }

    /** A path segment for {@code id}, percent-encoded by hand (dots too) rather than by the code under test. */
    static String path(String id) {
        StringBuilder out = new StringBuilder();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                out.append((char) c);
            } else {
                out.append(String.format("%%%02X", c));
            }
        }
        return "/api/images/" + out;
    }

    static Response getImage(String id) {
        return given().urlEncodingEnabled(false).redirects().follow(false).get(path(id));
    }

    @Test
    void everyLegacyIdGetsItsOwnObjectAndReadsBackByteForByte() throws Exception {
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put("coll_1", "legacy-c");
        ids.put("coll.1", "legacy-c");
        ids.put("coll/1", "legacy-c");
        ids.put("COLL_1", "legacy-c");
        ids.put("..", "legacy-c");
        ids.put("x.png", "legacy-c");
        ids.put("café ☕", "legacy-c");
        ids.put("cafe\u0301 ☕", "legacy-c");
        ids.put("日本語の画像", "Gen Z (2)");
        ids.put("😀/../😀", "gen.x");
        ids.put("a".repeat(64), "legacy-c");
        ids.put("a".repeat(64) + "b", "legacy-c");
        ids.put("z".repeat(124), "legacy-c"); // encoded: 200 characters, the longest segment
        ids.put("z".repeat(230), "legacy-c"); // digested: its encoded form would not fit a file name
        ids.put("~" + "mnxwy3bngexq", "legacy-c"); // looks like the encoded form of another id
        ids.put("a%2Fb", "Legacy C");
        ids.put("p1", "ü".repeat(400)); // a persona whose encoded form would not fit: digested
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        int n = 0;
        for (var e : ids.entrySet()) {
            byte[] png = TestImages.png(9 + n % 4, 9, 7000 + n++);
            bytes.put(e.getKey(), png);
            insert(e.getKey(), e.getValue(), png, null);
        }

        JsonPath dry = run("{\"action\": \"migrate\", \"dryRun\": true, \"wait\": true}");
        assertEquals(ids.size(), dry.getLong("migrated"));
        assertNull(dry.get("report.conflicts"));
        assertEquals(ids.size(), new HashSet<>(dry.getList("report.keys.items", String.class)).size(),
                "the dry run names one key per image");

        JsonPath job = run("{\"action\": \"migrate\", \"wait\": true}");
        assertEquals(ids.size(), job.getLong("migrated"), job.prettify());
        assertEquals(0, job.getLong("failed"));

        Set<String> keys = new HashSet<>();
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertEquals(ids.size(), bucket.list("").size(), "one object per row");
            for (String id : ids.keySet()) {
                Map<String, Object> row = LegacyRows.row(db, id);
                String key = (String) row.get("r2_key");
                assertTrue(keys.add(key), "key " + key + " of " + id + " is unique");
                assertNull(row.get("image_data"));
                assertArrayEquals(bytes.get(id), bucket.get(key).asByteArray(), id);
            }
        }
        assertTrue(keys.contains("images/legacy-c/coll_1.png"), "a safe id keeps today's key");
        assertTrue(keys.contains("images/legacy-c/" + "a".repeat(64) + ".png"));

        // The profile has R2_PUBLIC_URL: GET redirects to the row's own object, whose bytes were checked above.
        // ".." is a dot segment that HTTP servers normalise away even percent-encoded (RFC 3986 section 6.2.2.2):
        // that row is keyed and migrated, but cannot be named in a path.
        Map<String, String> unreachable = new LinkedHashMap<>();
        for (String id : ids.keySet()) {
            if (id.equals("..")) {
                continue;
            }
            Response get = getImage(id);
            String expected = MigrationProfile.PUBLIC_URL + "/" + LegacyRows.row(db, id).get("r2_key");
            if (get.statusCode() != 302 || !expected.equals(get.header("Location"))) {
                unreachable.put(id, "GET " + get.statusCode() + " " + get.header("Location"));
            }
            Response meta = given().urlEncodingEnabled(false).get(path(id) + "/meta");
            if (meta.statusCode() != 200 || !id.equals(meta.jsonPath().getString("id"))) {
                unreachable.put(id + " (meta)", "meta " + meta.statusCode());
            }
        }
        assertEquals(Map.of(), unreachable);

        // Deleting one legacy row removes its object only.
        given().header(io.zinteract.images.support.Admin.auth()).urlEncodingEnabled(false).delete(path("coll.1"))
                .then().statusCode(204);
        getImage("coll.1").then().statusCode(404);
        getImage("coll_1").then().statusCode(302);
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertEquals(ids.size() - 1, bucket.list("").size());
            assertArrayEquals(bytes.get("coll_1"), bucket.get("images/legacy-c/coll_1.png").asByteArray());
        }
    }

    /**
     * z-interact left an empty string, not NULL, in {@code r2_key} on some rows. Such a row has no object: it is served
     * from its base64, counted as base64, migrated, and then served from its own object.
     */
    @Test
    void aLegacyRowWithAnEmptyR2KeyIsBase64UntilMigrated() throws Exception {
        byte[] png = TestImages.png(14, 9, 8100);
        insert("empty-key", "legacy-e", png, null);
        LegacyRows.execute(db, "UPDATE images SET r2_key = '' WHERE id = ?", "empty-key");

        byte[] served = given().redirects().follow(false).get("/api/images/empty-key")
                .then().statusCode(200).extract().asByteArray();
        assertArrayEquals(png, served);
        JsonPath status = given().header(io.zinteract.images.support.Admin.auth()).get("/api/migrate-images")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(1, status.getLong("counts.base64Only"), status.prettify());

        JsonPath job = run("{\"action\": \"migrate\", \"wait\": true}");
        assertEquals(1, job.getLong("migrated"), job.prettify());
        assertEquals(0, job.getLong("failed"));
        Map<String, Object> row = LegacyRows.row(db, "empty-key");
        assertEquals("images/legacy-e/empty-key.png", row.get("r2_key"));
        assertNull(row.get("image_data"));
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertArrayEquals(png, bucket.get("images/legacy-e/empty-key.png").asByteArray());
        }
        getImage("empty-key").then().statusCode(302)
                .header("Location", MigrationProfile.PUBLIC_URL + "/images/legacy-e/empty-key.png");
    }

    @Test
    void anObjectOfAnotherImageAtTheKeyIsNeverOverwritten() throws Exception {
        byte[] mine = TestImages.png(10, 10, 1);
        byte[] other = TestImages.png(11, 11, 2);
        byte[] same = TestImages.png(12, 12, 3);
        byte[] owner = TestImages.png(13, 13, 4);
        insert("planted-1", "gen-x", mine, null);
        insert("again-1", "gen-x", same, null);
        insert("dup-1", "gen-x", owner, null);
        // A row migrated by the old mapping, whose key is the one dup-1 maps to now.
        insert("dup.1", "gen-x", owner, "images/gen-x/dup-1.png");
        // Two rows left sharing one key by the old mapping.
        insert("old_1", "legacy-c", other, "images/legacy-c/old_1.png");
        insert("old.1", "legacy-c", other, "images/legacy-c/old_1.png");
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            bucket.put("images/gen-x/planted-1.png", other, "image/png");
            bucket.put("images/gen-x/again-1.png", same, "image/png"); // a retried run: exactly its bytes
            bucket.put("images/legacy-c/old_1.png", other, "image/png"); // the one object old_1 and old.1 share
        }
        String plantedSha = LegacyRows.sha256Hex(other);
        Map<String, String> before = LegacyRows.rowHashes(db);

        JsonPath dry = run("{\"action\": \"migrate\", \"dryRun\": true, \"wait\": true}");
        assertEquals(2, dry.getLong("report.conflicts.total"), dry.prettify());
        assertEquals(Set.of("planted-1", "dup-1"), Set.copyOf(dry.getList("report.conflicts.items.imageId", String.class)));
        assertEquals(1, dry.getLong("migrated"));
        assertEquals(before, LegacyRows.rowHashes(db), "a dry run changes nothing");

        JsonPath job = run("{\"action\": \"migrate\", \"wait\": true}");
        assertEquals(1, job.getLong("migrated"), job.prettify());
        assertEquals(2, job.getLong("failed"));
        assertEquals(2, job.getLong("report.conflicts.total"));
        List<String> errors = job.getList("errors.items.error", String.class);
        assertTrue(errors.stream().allMatch(e -> e.startsWith("key conflict: ")), errors.toString());

        for (String id : List.of("planted-1", "dup-1")) {
            Map<String, Object> row = LegacyRows.row(db, id);
            assertEquals("failed", row.get("migration_status"), id);
            assertNull(row.get("r2_key"));
            assertEquals(Base64.getEncoder().encodeToString(id.equals("dup-1") ? owner : mine), row.get("image_data"),
                    "base64 kept");
        }
        assertEquals("images/gen-x/again-1.png", LegacyRows.row(db, "again-1").get("r2_key"), "idempotent retry");
        assertNull(LegacyRows.row(db, "again-1").get("image_data"));
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertEquals(plantedSha, bucket.sha256("images/gen-x/planted-1.png"), "the planted object is untouched");
            assertArrayEquals(same, bucket.get("images/gen-x/again-1.png").asByteArray());
            assertTrue(bucket.head("images/gen-x/dup-1.png").isEmpty(), "nothing written under the other row's key");
        }

        JsonPath validate = run("{\"action\": \"validate\", \"wait\": true}");
        assertEquals(4, validate.getLong("report.conflicts.total"), validate.prettify());
        assertEquals(Set.of("planted-1", "dup-1", "old_1", "old.1"),
                Set.copyOf(validate.getList("report.conflicts.items.imageId", String.class)));
        assertEquals(false, validate.getBoolean("isValid"), "conflicts make a validation fail");

        // Deleting one of two rows that share an object keeps the object: it is still the other row's image.
        given().header(io.zinteract.images.support.Admin.auth()).urlEncodingEnabled(false).delete(path("old.1"))
                .then().statusCode(204);
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertArrayEquals(other, bucket.get("images/legacy-c/old_1.png").asByteArray(), "the shared object stays");
        }
        given().header(io.zinteract.images.support.Admin.auth()).delete(path("old_1")).then().statusCode(204);
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertTrue(bucket.head("images/legacy-c/old_1.png").isEmpty(), "the last row's delete removes the object");
        }
    }

    @Test
    void hostileIdsGetAProblemAndChangeNothing() throws Exception {
        insert("keep-1", "gen-x", TestImages.png(9, 9, 5), null);
        Map<String, String> before = LegacyRows.rowHashes(db);
        for (String raw : List.of("%00", "a%00b", "%0A", "x".repeat(2000), "%C3%A9".repeat(600))) {
            for (String method : List.of("GET", "DELETE")) {
                Response r = given().header(io.zinteract.images.support.Admin.auth()).urlEncodingEnabled(false)
                        .request(method, "/api/images/" + raw);
                assertEquals(400, r.statusCode(), method + " " + raw + ": " + r.asString());
                assertEquals("application/problem+json", r.contentType());
                assertEquals("INVALID_ID", r.jsonPath().getString("code"));
            }
        }
        getImage("no.such/id").then().statusCode(404);
        assertEquals(before, LegacyRows.rowHashes(db));
        assertNotEquals(0, before.size());
    }
}
