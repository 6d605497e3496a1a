package io.zinteract.images.migration;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.zinteract.images.storage.ObjectKeys;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.MigrationProfile;
import io.zinteract.images.variant.Preset;
import io.zinteract.images.variant.VariantSettings;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.zinteract.images.migration.MigrationApi.await;
import static io.zinteract.images.migration.MigrationApi.awaitEnd;
import static io.zinteract.images.migration.MigrationApi.post;
import static io.zinteract.images.migration.MigrationApi.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12 in the migration: the {@code variants} backfill (dry run, exact counts, resumed after a halt that leaves the
 * database as a crash would), migrate handing migrated images to the variant makers, rollback removing variants,
 * cleanup knowing variant keys, validate checking variant objects. Real S3Proxy and SQLite; images in R2 are written
 * straight to the bucket and the table, so nothing but the job under test makes variants.
 */
@QuarkusTest
@TestProfile(VariantsActionTest.EagerVariants.class)
class VariantsActionTest extends MigrationTestBase {

    /**
     * The migration profile with eager variants on, as in production: only {@code migrate} schedules them, and the
     * other tests here write their images without it.
     */
    public static class EagerVariants extends MigrationProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> all = new HashMap<>(super.getConfigOverrides());
            all.put("variants.eager", "true");
            return all;
        }
    }

    /** Wide and short: over every default preset's width (so none is skipped as an enlargement), cheap to encode. */
    static final int WIDTH = 1040;
    static final int HEIGHT = 40;

    @Inject
    VariantSettings settings;

    /** Image id to its original's key, for the images written to R2 by {@link #inR2}. */
    final Map<String, String> originals = new HashMap<>();
    int seed;

    @BeforeEach
    void noUploads() throws SQLException {
        LegacyRows.execute(db, "DELETE FROM pending_uploads");
    }

    /** {@code count} migrated images (object and row, no base64), ids in order of creation. */
    List<String> inR2(int count) throws Exception {
        List<String> ids = new ArrayList<>();
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            for (int i = 0; i < count; i++) {
                byte[] bytes = TestImages.png(WIDTH, HEIGHT, seed++);
                String id = String.format("img-%04d", seed);
                ids.add(id);
                plantImage(bucket, id, bytes);
            }
        }
        return ids;
    }

    void plantImage(BucketClient bucket, String id, byte[] bytes) throws Exception {
        String key = "images/gen-x/" + id + ".png";
        bucket.put(key, bytes, "image/png");
        LegacyRows.execute(db, "INSERT INTO images (id, persona_id, persona_title, prompt, provider, status, "
                + "migration_status, r2_key, etag, sha256, size_bytes, content_type, migrated_at, created_at, updated_at) "
                + "VALUES (?, 'gen-x', 'T', 'p', 'openai', 'completed', 'completed', ?, ?, ?, ?, 'image/png', "
                + "1700000000, 1700000000, 1700000000)", id, key, LegacyRows.md5Hex(bytes), LegacyRows.sha256Hex(bytes),
                (long) bytes.length);
        originals.put(id, key);
    }

    List<Preset> eager() {
        return settings.kept();
    }

    /** The keys of every eager variant of these images, as WebP. */
    Set<String> variantKeys(List<String> ids) {
        Set<String> keys = new HashSet<>();
        for (String id : ids) {
            eager().forEach(p -> keys.add(ObjectKeys.forVariant(originals.get(id), p.name(), "webp")));
        }
        return keys;
    }

    String missingNames() {
        return eager().stream().map(p -> p.name() + ".webp").collect(Collectors.joining(", "));
    }

    static Set<String> bucketKeys() {
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            return bucket.list("").stream().map(S3Object::key).collect(Collectors.toSet());
        }
    }

    long variantRows() throws SQLException {
        return LegacyRows.count(db, "SELECT COUNT(*) FROM image_variants");
    }

    long variantRows(String id) throws SQLException {
        return LegacyRows.count(db, "SELECT COUNT(*) FROM image_variants WHERE image_id = '" + id + "'");
    }

    Set<String> variantRowKeys() throws SQLException {
        Set<String> keys = new HashSet<>();
        try (var c = db.getConnection(); var s = c.createStatement();
                var rs = s.executeQuery("SELECT r2_key, format FROM image_variants")) {
            while (rs.next()) {
                assertEquals("webp", rs.getString(2));
                keys.add(rs.getString(1));
            }
        }
        return keys;
    }

    @Test
    void dryRunListsWhatEachImageLacksAndChangesNothing() throws Exception {
        assertEquals(3, eager().size(), "the default eager presets: thumb, small, medium");
        List<String> ids = inR2(4);
        Map<String, String> rowsBefore = LegacyRows.rowHashes(db);
        Set<String> bucketBefore = bucketKeys();

        JsonPath dry = run("{\"action\": \"variants\", \"dryRun\": true, \"wait\": true}");
        assertEquals("completed", dry.getString("state"), dry.prettify());
        assertEquals(4, dry.getLong("total"));
        assertEquals(4, dry.getLong("processed"));
        assertEquals(0, dry.getLong("failed"));
        assertEquals(4, dry.getLong("report.imagesIncomplete"));
        assertEquals(4 * eager().size(), dry.getLong("report.variantsMissing"));
        assertNull(dry.get("report.variantsMade"));
        assertEquals(ids, dry.getList("report.incomplete.items.imageId", String.class));
        dry.getList("report.incomplete.items.detail", String.class).forEach(d -> assertEquals(missingNames(), d));

        assertEquals(0, variantRows(), "a dry run writes no row");
        assertEquals(bucketBefore, bucketKeys(), "a dry run writes no object");
        assertEquals(rowsBefore, LegacyRows.rowHashes(db), "images are untouched");
    }

    @Test
    void runMakesExactlyTheEagerVariantsOnceAndFailsOnlyTheUndecodableImage() throws Exception {
        List<String> ids = inR2(4);
        String broken = "img-broken";
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            byte[] png = TestImages.png(WIDTH, HEIGHT, 99);
            plantImage(bucket, broken, java.util.Arrays.copyOf(png, 60)); // a PNG cut short: no variant can be made
        }
        Map<String, String> rowsBefore = LegacyRows.rowHashes(db);

        JsonPath job = run("{\"action\": \"variants\", \"batchSize\": 2, \"wait\": true}");
        assertEquals("completed", job.getString("state"), job.prettify());
        assertEquals(5, job.getLong("total"));
        assertEquals(5, job.getLong("processed"));
        assertEquals(1, job.getLong("failed"), "the broken image fails alone; the job completes");
        assertEquals(broken, job.getString("errors.items[0].imageId"));
        assertEquals(4, job.getLong("report.imagesIncomplete"));
        assertEquals(4 * eager().size(), job.getLong("report.variantsMade"));
        assertNull(job.get("report.imagesComplete"));

        Set<String> expected = variantKeys(ids);
        assertEquals(expected.size(), variantRows());
        assertEquals(expected, variantRowKeys());
        Set<String> all = new HashSet<>(originals.values());
        all.addAll(expected);
        assertEquals(all, bucketKeys(), "exactly the originals and the eager WebP variants");
        assertEquals(rowsBefore.keySet(), LegacyRows.rowHashes(db).keySet());

        JsonPath again = run("{\"action\": \"variants\", \"wait\": true}");
        assertEquals(4, again.getLong("report.imagesComplete"), again.prettify());
        assertNull(again.get("report.variantsMade"), "nothing is made twice");
        assertEquals(1, again.getLong("failed"));
        assertEquals(all, bucketKeys());
    }

    @Test
    void jobHaltedLikeACrashIsResumedAndMakesEveryImagesVariantsOnce() throws Exception {
        int n = 20;
        List<String> ids = inR2(n);
        String id = post("{\"action\": \"variants\", \"batchSize\": 1, \"concurrency\": 1}").then().statusCode(202)
                .extract().path("jobId");
        await(id, j -> j.getLong("processed") >= 2, Duration.ofSeconds(60));
        runner.halt();
        assertTrue(runner.active(id).isEmpty());
        JsonPath stored = MigrationApi.job(id);
        assertEquals("running", stored.getString("state"), "what kill -9 leaves");
        long done = stored.getLong("processed");
        assertTrue(done >= 2 && done < n, "halted part-way, at " + done);
        assertTrue(variantRows() < (long) n * eager().size());

        assertEquals(List.of(id), runner.resumeInterrupted());
        JsonPath job = awaitEnd(id);
        assertEquals("completed", job.getString("state"), job.prettify());
        assertEquals(n, job.getLong("total"));
        assertEquals(n, job.getLong("processed"));
        assertEquals(0, job.getLong("failed"));
        assertEquals(0, job.getLong("skipped"));
        // Images in flight at the halt finished and were recorded, so none is looked at twice (it would count as
        // complete the second time): each image's variants were made by exactly one try.
        assertEquals(n, job.getLong("report.imagesIncomplete"));
        assertNull(job.get("report.imagesComplete"));
        assertEquals((long) n * eager().size(), job.getLong("report.variantsMade"));
        assertEquals((long) n * eager().size(), variantRows());
        assertEquals(variantKeys(ids), variantRowKeys());
        assertEquals(variantKeys(ids), bucketKeys().stream().filter(ObjectKeys::isVariantKey).collect(Collectors.toSet()));
        assertEquals(0, LegacyRows.count(db, "SELECT COUNT(*) FROM migration_job_items"), "every result folded");
    }

    @Test
    void rollbackRemovesTheVariantsOfRolledBackImagesOnly() throws Exception {
        List<String> ids = inR2(3);
        run("{\"action\": \"variants\", \"wait\": true}");
        long per = eager().size();
        assertEquals(3 * per, variantRows());
        List<String> back = ids.subList(0, 2);
        String body = "\"imageIds\": [\"" + String.join("\", \"", back) + "\"]";

        Set<String> bucketBefore = bucketKeys();
        JsonPath dry = run("{\"action\": \"rollback\", \"dryRun\": true, " + body + ", \"wait\": true}");
        assertEquals(2 * per, dry.getLong("report.variantsDeleted"), "the variants that would go");
        assertEquals(3 * per, variantRows());
        assertEquals(bucketBefore, bucketKeys());

        JsonPath job = run("{\"action\": \"rollback\", " + body + ", \"wait\": true}");
        assertEquals("completed", job.getString("state"), job.prettify());
        assertEquals(2, job.getLong("rolledBack"));
        assertEquals(2 * per, job.getLong("report.variantsDeleted"));
        assertNull(job.get("report.variantDeleteFailures"));
        for (String id : back) {
            assertEquals(0, variantRows(id));
            assertNull(LegacyRows.row(db, id).get("r2_key"));
        }
        assertEquals(per, variantRows(ids.get(2)));
        Set<String> expected = new HashSet<>(originals.values()); // objects are kept unless deleteFromR2
        expected.addAll(variantKeys(List.of(ids.get(2))));
        assertEquals(expected, bucketKeys(), "the rolled back images' variant objects are gone, the other's stay");
    }

    @Test
    void cleanupRemovesOrphanAndStaleVariantsAndKeepsLiveOnes() throws Exception {
        List<String> ids = inR2(2);
        run("{\"action\": \"variants\", \"wait\": true}");
        String live = ids.get(0);
        String gone = ids.get(1);
        Instant old = CleanupActionTest.OLD;
        String ghost = ObjectKeys.forVariant("images/gen-x/ghost.png", "small", "webp");
        String young = ObjectKeys.forVariant("images/gen-x/young.png", "small", "webp");
        List<String> goneVariants = new ArrayList<>(variantKeys(List.of(gone)));
        java.util.Collections.sort(goneVariants);
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            // Every original old, so the only young object is the one planted young.
            for (String key : originals.values()) {
                CleanupActionTest.plant(bucket, key, old);
            }
            CleanupActionTest.plant(bucket, ghost, old); // no row names it
            CleanupActionTest.plant(bucket, young, Instant.now()); // no row yet: may be written right now
            bucket.delete(goneVariants.get(0)); // a stale row whose object is already gone
        }
        LegacyRows.execute(db, "DELETE FROM images WHERE id = ?", gone); // its variant rows are now stale
        long per = eager().size();
        Set<String> before = bucketKeys();
        Set<String> orphans = new HashSet<>(Set.of(ghost, originals.get(gone)));
        orphans.addAll(goneVariants.subList(1, goneVariants.size()));

        JsonPath dry = run("{\"action\": \"cleanup\", \"dryRun\": true, \"wait\": true}");
        assertEquals("completed", dry.getString("state"), dry.prettify());
        assertEquals(orphans, Set.copyOf(dry.getList("orphaned.items", String.class)));
        assertEquals(per, dry.getLong("report.staleVariantRows"));
        assertEquals(1, dry.getLong("report.keptYoung"));
        assertEquals(before.size(), dry.getLong("report.objectsScanned"));
        assertEquals(before, bucketKeys(), "a dry run deletes nothing");
        assertEquals(2 * per, variantRows());

        JsonPath job = run("{\"action\": \"cleanup\", \"wait\": true}");
        assertEquals("completed", job.getString("state"), job.prettify());
        assertEquals(orphans, Set.copyOf(job.getList("orphaned.items", String.class)));
        assertEquals(orphans.size(), job.getLong("report.objectsDeleted"));
        assertEquals(per, job.getLong("report.staleVariantRows"));
        Set<String> left = new HashSet<>(before);
        left.removeAll(orphans);
        assertEquals(left, bucketKeys(), "exactly the orphans are gone; the live image's variants stay");
        assertTrue(left.containsAll(variantKeys(List.of(live))));
        assertEquals(per, variantRows());
        assertEquals(per, variantRows(live));

        JsonPath again = run("{\"action\": \"cleanup\", \"wait\": true}");
        assertEquals(0, again.getLong("report.objectsDeleted"));
        assertEquals(0, again.getLong("report.staleVariantRows"));
    }

    @Test
    void validateFlagsVariantObjectsDeletedOrChangedBehindItsBack() throws Exception {
        List<String> ids = inR2(2);
        JsonPath made = run("{\"action\": \"variants\", \"wait\": true}");
        assertEquals(2L * eager().size(), made.getLong("report.variantsMade"), made.prettify());
        List<String> keys = new ArrayList<>(variantKeys(ids));
        java.util.Collections.sort(keys);
        String deleted = keys.get(0);
        String changed = keys.get(1);
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            bucket.delete(deleted);
            bucket.put(changed, new byte[] { 1, 2, 3 }, "image/webp");
        }

        JsonPath job = run("{\"action\": \"validate\", \"wait\": true}");
        assertEquals("completed", job.getString("state"), job.prettify());
        assertEquals(2, job.getLong("valid"), "the originals are fine");
        assertEquals(0, job.getLong("missing.total"));
        assertEquals(keys.size(), job.getLong("report.variantsChecked"));
        assertEquals(1, job.getLong("report.variantObjectsMissing"));
        assertEquals(1, job.getLong("report.variantObjectsMismatched"));
        assertEquals(2, job.getLong("report.variantProblems.total"));
        List<String> details = job.getList("report.variantProblems.items.detail", String.class);
        assertTrue(details.stream().anyMatch(d -> d.startsWith(deleted + ": object is missing")), details.toString());
        assertTrue(details.stream().anyMatch(d -> d.startsWith(changed + ": object has 3 bytes")), details.toString());
        assertFalse(job.getBoolean("isValid"), "a variant clients would be sent to is gone");
    }

    @Test
    void migrateHandsEachMigratedImageToTheVariantMakers() throws Exception {
        LegacyRows legacy = new LegacyRows(db);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(legacy.raw(TestImages.png(WIDTH, HEIGHT, 500 + i), "image/png", "png"));
        }
        JsonPath job = run("{\"action\": \"migrate\", \"wait\": true}");
        assertEquals(3, job.getLong("migrated"), job.prettify());
        long expected = 3L * eager().size();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (variantRows() < expected && System.nanoTime() < deadline) {
            MigrationApi.sleep(50);
        }
        assertEquals(expected, variantRows(), "every migrated image gets its eager variants, off the job's path");
        Set<String> keys = new HashSet<>();
        for (LegacyRows.Valid v : legacy.validList()) {
            eager().forEach(p -> keys.add(ObjectKeys.forVariant(v.key(), p.name(), "webp")));
        }
        assertEquals(keys, variantRowKeys());
        assertTrue(bucketKeys().containsAll(keys));
    }

    @Test
    void variantsTakesOnlyItsOptions() {
        post("{\"action\": \"variants\", \"retainBase64\": true}").then().statusCode(400)
                .body("code", org.hamcrest.Matchers.equalTo("INVALID_REQUEST"));
        post("{\"action\": \"variants\", \"dryRun\": 1}").then().statusCode(400)
                .body("code", org.hamcrest.Matchers.equalTo("INVALID_REQUEST"));
    }
}
