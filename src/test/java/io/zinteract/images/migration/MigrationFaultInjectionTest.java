package io.zinteract.images.migration;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.profile.FaultyMigrationProfile;
import io.zinteract.images.support.profile.FaultyStorageResource;
import io.zinteract.images.support.server.S3TestProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static io.zinteract.images.migration.MigrationApi.await;
import static io.zinteract.images.migration.MigrationApi.awaitEnd;
import static io.zinteract.images.migration.MigrationApi.post;
import static io.zinteract.images.migration.MigrationApi.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Migrations through a store that misbehaves ({@link S3TestProxy} between the service and S3Proxy): with a fifth of all
 * requests answered 503 every image still lands and verifies, and with the store cut off the job waits and finishes
 * once it is back. The third hostile case, an object changed behind the service's back and caught by
 * {@code validate} with {@code checkIntegrity}, is {@code MigrationFlowTest#checkIntegrityCatchesBytesChangedBehindTheServicesBack}.
 */
@QuarkusTest
@TestProfile(FaultyMigrationProfile.class)
class MigrationFaultInjectionTest extends MigrationTestBase {

    static final int VALID = 60;
    static final int CORRUPT = 5;

    LegacyRows rows;

    @BeforeEach
    void seed() throws Exception {
        faults().restore();
        rows = new LegacyRows(db).png(20, "image/png").jpeg(20, "image/jpeg", false).webp(20).corrupt(CORRUPT);
    }

    @AfterEach
    void restore() {
        faults().restore();
    }

    @Test
    void twentyPercent503sStillMigrateAndVerifyEveryImage() throws Exception {
        // Each call has 5 tries: one fails for good with 0.2^5 = 0.03 %. Should retries or the breaker (50 % of 20
        // calls) still give out, that is an outage: the job waits and probes, it never fails a valid image.
        faults().fail503(0.2);
        int injectedBefore = faults().injected();
        JsonPath job = run("{\"action\": \"migrate\", \"batchSize\": 10, \"concurrency\": 4, \"wait\": true}");
        assertEquals("completed", job.getString("state"), job.prettify());
        assertEquals(VALID, job.getLong("migrated"));
        assertEquals(CORRUPT, job.getLong("failed"));
        assertEquals(Set.copyOf(rows.corrupt), Set.copyOf(job.getList("errors.items.imageId", String.class)),
                "only the corrupt rows failed");
        int injectedByMigrate = faults().injected() - injectedBefore;
        assertTrue(injectedByMigrate > 0, "the proxy failed some requests");

        // Every object is downloaded and hashed, still through the 503s.
        JsonPath validate = run("{\"action\": \"validate\", \"checkIntegrity\": true, \"wait\": true}");
        assertEquals("completed", validate.getString("state"), validate.prettify());
        assertEquals(VALID, validate.getLong("valid"));
        assertEquals(0, validate.getLong("corrupted.total"));
        assertEquals(0, validate.getLong("missing.total"));
        assertTrue(validate.getBoolean("isValid"));
        System.out.printf("MigrationFaultInjectionTest: %d images migrated and verified; %d requests answered 503 "
                + "(%d during migrate)%n", VALID, faults().injected() - injectedBefore, injectedByMigrate);

        faults().restore();
        assertBucketHoldsExactlyTheValidImages();
    }

    @Test
    void cutStoreMakesTheJobWaitAndItFinishesAfterTheStoreIsBack() throws Exception {
        String id = post("{\"action\": \"migrate\", \"batchSize\": 2, \"concurrency\": 1}").then().statusCode(202)
                .extract().path("jobId");
        await(id, j -> j.getLong("processed") >= 6, Duration.ofSeconds(30));
        faults().cut();

        JsonPath waiting = await(id, j -> j.getString("state").equals("waiting-for-storage"), Duration.ofSeconds(30));
        assertTrue(rows.corrupt.containsAll(waiting.getList("errors.items.imageId", String.class)),
                "a cut store fails no valid image");
        long processedWhileCut = waiting.getLong("processed");
        MigrationApi.sleep(800);
        JsonPath still = MigrationApi.job(id);
        assertEquals("waiting-for-storage", still.getString("state"));
        assertEquals(processedWhileCut, still.getLong("processed"), "nothing moves while the store is cut");
        assertTrue(processedWhileCut < VALID + CORRUPT);

        faults().restore();
        JsonPath done = awaitEnd(id);
        assertEquals("completed", done.getString("state"), done.prettify());
        assertEquals(VALID + CORRUPT, done.getLong("processed"));
        assertEquals(VALID, done.getLong("migrated"));
        assertEquals(CORRUPT, done.getLong("failed"));
        assertEquals(0, done.getLong("skipped"));
        assertBucketHoldsExactlyTheValidImages();
    }

    private void assertBucketHoldsExactlyTheValidImages() throws Exception {
        assertEquals(VALID, LegacyRows.count(db, "SELECT COUNT(*) FROM images WHERE r2_key IS NOT NULL AND image_data IS NULL"));
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            List<S3Object> objects = bucket.list("");
            assertEquals(rows.valid.values().stream().map(LegacyRows.Valid::key).collect(Collectors.toSet()),
                    objects.stream().map(S3Object::key).collect(Collectors.toSet()));
            for (LegacyRows.Valid v : rows.valid.values()) {
                assertArrayEquals(v.bytes(), bucket.get(v.key()).asByteArray(), v.id());
            }
        }
    }

    private static void emptyBucket() {
        // Straight to S3Proxy, not through the faults.
        MigrationApi.emptyBucket();
    }

    private static S3TestProxy faults() {
        return FaultyStorageResource.faults();
    }
}
