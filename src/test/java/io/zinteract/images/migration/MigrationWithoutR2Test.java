package io.zinteract.images.migration;

import io.zinteract.images.support.profile.ProfileGuard;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static io.zinteract.images.migration.MigrationApi.post;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** No R2 settings at all: a dry run still works, anything that needs the bucket is a 503 and starts nothing. */
@QuarkusTest
@TestProfile(MigrationWithoutR2Test.NoR2.class)
class MigrationWithoutR2Test {

    public static class NoR2 implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return ProfileGuard.guarded(this);
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("images.sqlite-path", Path.of("target", "test-db", "no-r2", "images.db").toAbsolutePath().toString(),
                    "migration.probe-timeout", "PT1S", "admin.api-key", io.zinteract.images.support.Admin.KEY);
        }
    }

    @Inject
    AgroalDataSource db;

    @Test
    void dryRunWorksAndStoreActionsAreRefused() throws Exception {
        LegacyRows.clear(db);
        LegacyRows rows = new LegacyRows(db).png(3, "image/png").corrupt(1);
        for (String body : new String[] { "{\"action\": \"migrate\"}", "{\"action\": \"validate\"}",
                "{\"action\": \"rollback\"}", "{\"action\": \"purge\"}", "{\"action\": \"cleanup\"}",
                "{\"action\": \"variants\"}", "{\"action\": \"variants\", \"dryRun\": true}" }) {
            post(body).then().statusCode(503).contentType("application/problem+json")
                    .body("code", is("STORAGE_NOT_CONFIGURED"));
        }
        assertEquals(0, LegacyRows.count(db, "SELECT COUNT(*) FROM migration_jobs"), "nothing started");

        JsonPath dry = MigrationApi.run("{\"action\": \"migrate\", \"dryRun\": true, \"wait\": true}");
        assertEquals("completed", dry.getString("state"));
        assertEquals(3, dry.getLong("migrated"));
        assertEquals(1, dry.getLong("failed"));
        assertEquals(rows.valid.values().stream().mapToLong(v -> v.bytes().length).sum(), dry.getLong("bytes"));

        given().when().get(MigrationApi.PATH).then().statusCode(200)
                .body("r2.configured", is(false)).body("r2.status", is("error")).body("migrationReady", is(false))
                .body("counts.base64Only", is(4)).body("lastJob.jobId", is(dry.getString("jobId")));
    }
}
