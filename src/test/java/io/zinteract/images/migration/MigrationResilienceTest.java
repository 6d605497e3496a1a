package io.zinteract.images.migration;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.profile.MigrationProfile;
import io.zinteract.images.support.profile.S3ProxyResource;
import io.zinteract.images.support.server.S3ProxyProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.zinteract.images.migration.MigrationApi.await;
import static io.zinteract.images.migration.MigrationApi.awaitEnd;
import static io.zinteract.images.migration.MigrationApi.post;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Jobs that are stopped part-way (pause, cancel, a halt that leaves the database as a crash would, the object store
 * going away) end with every image migrated exactly once: each valid row points at its object, each object holds the
 * row's bytes, and the job's counts are exact.
 */
@QuarkusTest
@TestProfile(MigrationProfile.class)
class MigrationResilienceTest extends MigrationTestBase {

    static final int VALID = 100;
    static final int CORRUPT = 10;

    LegacyRows rows;

    @BeforeEach
    void seed() throws Exception {
        rows = new LegacyRows(db).png(40, "image/png").jpeg(30, "image/jpeg", false).webp(30).corrupt(CORRUPT);
    }

    @AfterEach
    void storeBack() {
        S3ProxyProcess proxy = S3ProxyResource.current();
        if (!proxy.running()) {
            proxy.start();
        }
    }

    @Test
    void storeOutageMidJobWaitsThenCompletesWithoutFailingImages() throws Exception {
        String id = post("{\"action\": \"migrate\", \"batchSize\": 2, \"concurrency\": 1}").then().statusCode(202)
                .extract().path("jobId");
        await(id, j -> j.getLong("processed") >= 10, Duration.ofSeconds(30));
        S3ProxyResource.current().stop();

        JsonPath waiting = await(id, j -> j.getString("state").equals("waiting-for-storage"), Duration.ofSeconds(30));
        assertTrue(rows.corrupt.containsAll(waiting.getList("errors.items.imageId", String.class)),
                "an outage fails no valid image; only corrupt rows are failures");
        assertEquals(waiting.getLong("failed"), waiting.getLong("errors.total"));
        long progressWhileDown = waiting.getLong("processed");
        assertTrue(progressWhileDown < VALID + CORRUPT);

        // The waiting job still holds the lock: a second mutating job is refused with its id.
        Response conflict = post("{\"action\": \"migrate\"}");
        assertEquals(409, conflict.statusCode());
        assertEquals("application/problem+json", conflict.contentType());
        assertEquals("JOB_CONFLICT", conflict.path("code"));
        assertEquals(id, conflict.path("jobId"));
        assertEquals(409, post("{\"action\": \"rollback\"}").statusCode());
        MigrationApi.sleep(600);
        assertEquals("waiting-for-storage", MigrationApi.job(id).getString("state"));
        assertEquals(progressWhileDown, MigrationApi.job(id).getLong("processed"), "nothing moves while the store is away");

        S3ProxyResource.current().start();
        JsonPath done = awaitEnd(id);
        assertEquals("completed", done.getString("state"));
        assertMigratedExactlyOnce(done);
    }

    @Test
    void pausedJobResumesFromItsCursorAndMigratesEveryImageOnce() throws Exception {
        String id = post("{\"action\": \"migrate\", \"batchSize\": 1, \"concurrency\": 1}").then().statusCode(202)
                .extract().path("jobId");
        JsonPath paused = post("{\"action\": \"pause\"}").then().statusCode(200).extract().jsonPath();
        assertEquals(id, paused.getString("jobId"));
        assertEquals("paused", paused.getString("state"));
        assertTrue(paused.getLong("processed") < VALID + CORRUPT, "paused part-way");
        long processed = paused.getLong("processed");
        MigrationApi.sleep(300);
        assertEquals(processed, MigrationApi.job(id).getLong("processed"), "a paused job does nothing");
        assertEquals(409, post("{\"action\": \"migrate\"}").statusCode(), "a paused job keeps the lock");

        JsonPath done = post("{\"action\": \"resume\", \"jobId\": \"" + id + "\", \"wait\": true}").then().statusCode(200)
                .extract().jsonPath();
        assertEquals("completed", done.getString("state"));
        assertMigratedExactlyOnce(done);
    }

    @Test
    void jobHaltedLikeACrashIsResumedAtStartAndCountsEveryImageOnce() throws Exception {
        // One batch for all rows: halted inside it, so only the start is checkpointed and every result so far is an item.
        String id = post("{\"action\": \"migrate\", \"batchSize\": 110, \"concurrency\": 1}").then().statusCode(202)
                .extract().path("jobId");
        awaitObjects(10);
        // The batch's verified rows wait for its one commit: uploaded, and no row points at its object yet.
        assertEquals(0, LegacyRows.count(db, "SELECT COUNT(*) FROM images WHERE r2_key IS NOT NULL"));
        assertEquals(0, LegacyRows.count(db, "SELECT COUNT(*) FROM migration_job_items WHERE job_id = '" + id + "'"));
        // What kill -9 leaves: the row still says running, the cursor is at the last checkpoint, and the results of the
        // images committed since are only in migration_job_items (a halt commits the rows verified so far).
        runner.halt();
        assertTrue(runner.active(id).isEmpty());
        JsonPath stored = MigrationApi.job(id);
        assertEquals("running", stored.getString("state"));
        assertEquals(0, stored.getLong("processed"), "no checkpoint inside the batch");
        long items = LegacyRows.count(db, "SELECT COUNT(*) FROM migration_job_items WHERE job_id = '" + id + "'");
        assertTrue(items >= 10 && items < VALID + CORRUPT, "halted part-way with " + items + " results since the checkpoint");
        assertEquals(LegacyRows.count(db, "SELECT COUNT(*) FROM images WHERE r2_key IS NOT NULL"), LegacyRows.count(db,
                "SELECT COUNT(*) FROM migration_job_items i JOIN images m ON m.id = i.image_id WHERE i.job_id = '"
                        + id + "' AND m.r2_key IS NOT NULL"), "every migrated row has its item");

        // The start-up path: jobs left running are continued.
        assertEquals(List.of(id), runner.resumeInterrupted());
        JsonPath done = awaitEnd(id);
        assertEquals("completed", done.getString("state"));
        assertMigratedExactlyOnce(done);
        assertEquals(0, LegacyRows.count(db, "SELECT COUNT(*) FROM migration_job_items"));
    }

    @Test
    void rowChangedBetweenItsUploadAndTheBatchCommitIsSkippedAndItsObjectDeleted() throws Exception {
        String id = post("{\"action\": \"migrate\", \"batchSize\": 110, \"concurrency\": 1}").then().statusCode(202)
                .extract().path("jobId");
        awaitObjects(3);
        LegacyRows.Valid changed;
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            String key = bucket.list("").get(0).key();
            changed = rows.valid.values().stream().filter(v -> v.key().equals(key)).findFirst().orElseThrow();
        }
        // Uploaded and verified, its batch not yet committed: someone else writes the row meanwhile.
        String edited = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
        LegacyRows.execute(db, "UPDATE images SET image_data = ? WHERE id = ?", edited, changed.id());

        JsonPath done = awaitEnd(id);
        assertEquals("completed", done.getString("state"));
        assertEquals(VALID - 1, done.getLong("migrated"));
        assertEquals(1, done.getLong("skipped"));
        assertEquals(CORRUPT, done.getLong("failed"));
        Map<String, Object> row = LegacyRows.row(db, changed.id());
        assertEquals(edited, row.get("image_data"), "the edit is left as it is");
        assertNull(row.get("r2_key"));
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertTrue(bucket.head(changed.key()).isEmpty(), "the object uploaded for the old bytes is deleted");
            assertEquals(VALID - 1, bucket.list("").size());
        }
    }

    @Test
    void cancelledJobReleasesTheLockAndANewJobFinishesTheRest() throws Exception {
        String id = post("{\"action\": \"migrate\", \"batchSize\": 1, \"concurrency\": 1}").then().statusCode(202)
                .extract().path("jobId");
        JsonPath cancelled = post("{\"action\": \"cancel\", \"jobId\": \"" + id + "\"}").then().statusCode(200)
                .extract().jsonPath();
        assertEquals("cancelled", cancelled.getString("state"));
        long first = cancelled.getLong("migrated");
        assertEquals(409, post("{\"action\": \"resume\", \"jobId\": \"" + id + "\"}").statusCode());

        JsonPath rest = MigrationApi.run("{\"action\": \"migrate\", \"wait\": true}");
        assertEquals("completed", rest.getString("state"));
        assertEquals(VALID - first, rest.getLong("migrated"));
        assertEquals(CORRUPT, rest.getLong("failed"));
        assertBucketHoldsExactlyTheValidImages();
    }

    private void assertMigratedExactlyOnce(JsonPath job) throws Exception {
        assertEquals(VALID + CORRUPT, job.getLong("total"));
        assertEquals(VALID + CORRUPT, job.getLong("processed"));
        assertEquals(VALID, job.getLong("migrated"));
        assertEquals(CORRUPT, job.getLong("failed"));
        assertEquals(0, job.getLong("skipped"));
        assertEquals(CORRUPT, job.getLong("errors.total"));
        assertEquals(rows.valid.values().stream().mapToLong(v -> v.bytes().length).sum(), job.getLong("bytes"));
        assertEquals(CORRUPT, LegacyRows.count(db, "SELECT COUNT(*) FROM migration_failures WHERE job_id = '"
                + job.getString("jobId") + "'"));
        assertBucketHoldsExactlyTheValidImages();
    }

    private static void awaitObjects(int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            while (bucket.list("").size() < count) {
                assertTrue(System.nanoTime() < deadline, "fewer than " + count + " objects uploaded within 30 s");
                MigrationApi.sleep(20);
            }
        }
    }

    private void assertBucketHoldsExactlyTheValidImages() throws Exception {
        assertEquals(VALID, LegacyRows.count(db, "SELECT COUNT(*) FROM images WHERE r2_key IS NOT NULL AND image_data IS NULL"));
        assertEquals(CORRUPT, LegacyRows.count(db, "SELECT COUNT(*) FROM images WHERE r2_key IS NULL AND image_data IS NOT NULL"));
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            List<S3Object> objects = bucket.list("");
            assertEquals(VALID, objects.size());
            assertEquals(rows.valid.values().stream().map(LegacyRows.Valid::key).collect(Collectors.toSet()),
                    objects.stream().map(S3Object::key).collect(Collectors.toSet()));
            for (LegacyRows.Valid v : rows.valid.values()) {
                assertArrayEquals(v.bytes(), bucket.get(v.key()).asByteArray(), v.id());
                assertEquals(v.key(), LegacyRows.row(db, v.id()).get("r2_key"));
            }
        }
    }
}
