package io.zinteract.images.variant;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.zinteract.images.support.Admin;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.VariantImages;
import io.zinteract.images.support.profile.Profiles;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Variants on PostgreSQL (several replicas share one database): the same rows, keys and lifecycle as on SQLite. */
@QuarkusTest
@TestProfile(Profiles.PostgresR2.class)
class PostgresVariantTest {

    @Test
    void aVariantIsRecordedOnceAndDeletedWithItsImage() {
        String id = VariantEagerTest.upload(VariantImages.png(VariantImages.portrait(960, 640, 21, true)), "image/png");
        for (int i = 0; i < 2; i++) {
            given().redirects().follow(false).header("Accept", "image/png").queryParam("variant", "small").when()
                    .get("/api/images/" + id).then().statusCode(302).header("Vary", "Accept");
        }
        Map<String, Object> row = Db.rows("SELECT preset, format, width, height, alpha, r2_key FROM image_variants "
                + "WHERE image_id = ?", id).get(0);
        assertEquals(Map.of("preset", "small", "format", "png", "width", 480, "height", 320, "alpha", 1),
                Map.of("preset", row.get("preset"), "format", row.get("format"),
                        "width", ((Number) row.get("width")).intValue(), "height", ((Number) row.get("height")).intValue(),
                        "alpha", ((Number) row.get("alpha")).intValue()));
        given().when().get("/api/images/" + id + "/meta").then().statusCode(200)
                .body("thumbhash", org.hamcrest.Matchers.notNullValue());
        given().header(Admin.auth()).when().delete("/api/images/" + id).then().statusCode(204);
        assertEquals(0, Db.count("SELECT COUNT(*) FROM image_variants WHERE image_id = ?", id));
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertTrue(bucket.head((String) row.get("r2_key")).isEmpty());
        }
    }
}
