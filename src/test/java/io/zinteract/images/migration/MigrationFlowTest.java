package io.zinteract.images.migration;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.profile.MigrationProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static io.zinteract.images.migration.MigrationApi.run;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole migration of one legacy table of 300 mixed rows, step by step as an operator runs it: dry run, a retained
 * subset, the rest, a second run, validate (orphans, integrity), purge, rollback. Each step checks the bucket with an
 * independent S3 client and the table with plain JDBC, to the byte and the count.
 */
@QuarkusTest
@TestProfile(MigrationProfile.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationFlowTest {

    // 90 PNG + 40 JPEG + 30 WebP + 20 wrong mime + 10 data: URLs + 25 with an external URL too = 215 images;
    // 15 corrupt; 50 external only; 20 with nothing.
    static final int VALID = 215;
    static final int CORRUPT = 15;
    static final int MISMATCHED = 20;

    @Inject
    AgroalDataSource db;
    @Inject
    MeterRegistry registry;
    @Inject
    CircuitBreakerMaintenance breakers;

    LegacyRows rows;
    List<String> retained;
    double migratedBefore;
    double failedBefore;

    double images(String outcome) {
        var counter = registry.find("migration.images").tags("action", "migrate", "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @BeforeAll
    void seed() throws Exception {
        MigrationApi.freshStart(breakers, db);
        rows = new LegacyRows(db).png(90, "image/png").jpeg(40, "image/jpeg", false).webp(30)
                .png(10, "image/jpeg").jpeg(10, "image/png", false).dataUrls(10).jpeg(25, "image/jpeg", true)
                .corrupt(CORRUPT).external(50).none(20);
        assertEquals(VALID, rows.valid.size());
        migratedBefore = images("migrated");
        failedBefore = images("failed");
        retained = rows.validList().subList(0, 30).stream().map(LegacyRows.Valid::id).toList();
    }

    @Test
    @Order(1)
    void dryRunChangesNothingAndReportsWhatWouldHappen() throws Exception {
        Map<String, String> before = LegacyRows.rowHashes(db);
        JsonPath job = run("{\"action\": \"migrate\", \"dryRun\": true, \"wait\": true}");
        assertEquals("completed", job.getString("state"));
        assertTrue(job.getBoolean("dryRun"));
        assertEquals(VALID + CORRUPT, job.getLong("total"));
        assertEquals(VALID + CORRUPT, job.getLong("processed"));
        assertEquals(VALID, job.getLong("migrated"));
        assertEquals(CORRUPT, job.getLong("failed"));
        long bytes = rows.valid.values().stream().mapToLong(v -> v.bytes().length).sum();
        long base64 = rows.valid.values().stream().mapToLong(v -> v.stored().length()).sum();
        assertEquals(bytes, job.getLong("bytes"));
        assertEquals(VALID, job.getLong("report.keys.total"));
        List<String> keys = job.getList("report.keys.items", String.class);
        assertEquals(100, keys.size(), "lists are bounded by migration.listed-items");
        assertTrue(rows.validList().stream().map(LegacyRows.Valid::key).toList().containsAll(keys));
        assertEquals(CORRUPT, job.getLong("report.invalid.total"));
        assertEquals(Set.copyOf(rows.corrupt), Set.copyOf(job.getList("report.invalid.items.imageId", String.class)));
        assertEquals(MISMATCHED, job.getLong("report.mimeMismatches.total"));
        assertEquals(base64, job.getLong("report.base64BytesReclaimable"));
        // R2 Standard at 0.015 USD per GB-month (10^9 bytes), rounded to 6 decimals as the report rounds it.
        assertEquals(java.math.BigDecimal.valueOf(bytes * 0.015 / 1e9).setScale(6, java.math.RoundingMode.HALF_UP)
                .doubleValue(), job.getDouble("report.monthlyCostUsd"), 1e-9);
        assertEquals(VALID + CORRUPT, job.getLong("report.scope.pending"));
        assertEquals(50, job.getLong("report.scope.external"));
        assertEquals(20, job.getLong("report.scope.none"));

        assertEquals(before, LegacyRows.rowHashes(db));
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertEquals(0, bucket.list("").size());
        }
    }

    @Test
    @Order(2)
    void migrateWithRetainedBase64KeepsTheRowsData() throws Exception {
        String ids = retained.stream().map(id -> "\"" + id + "\"").collect(Collectors.joining(", "));
        double headsBefore = heads();
        JsonPath job = run("{\"action\": \"migrate\", \"retainBase64\": true, \"verify\": \"etag\", \"imageIds\": [" + ids
                + "], \"wait\": true}");
        assertEquals("completed", job.getString("state"));
        assertEquals("etag", job.getString("options.verify"));
        assertEquals(0, heads() - headsBefore, "verified by the PUT's ETag: no HEAD");
        assertEquals(30, job.getLong("total"));
        assertEquals(30, job.getLong("migrated"));
        assertEquals(0, job.getLong("failed"));
        assertEquals(30, job.getLong("report.retained"));
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertEquals(30, bucket.list("").size());
            for (String id : retained) {
                LegacyRows.Valid v = rows.valid.get(id);
                Map<String, Object> row = LegacyRows.row(db, id);
                assertEquals(v.stored(), row.get("image_data"), "retained base64 is untouched");
                assertEquals(v.key(), row.get("r2_key"));
                assertArrayEquals(v.bytes(), bucket.get(v.key()).asByteArray());
                assertEquals(LegacyRows.md5Hex(v.bytes()), row.get("etag"));
            }
        }
    }

    /** Calls of R2Storage.head so far (what sends a HEAD), from the fault-tolerance metrics. */
    double heads() {
        return registry.find("ft.invocations.total").tag("method", "io.zinteract.images.storage.R2Storage.head")
                .counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Test
    @Order(3)
    void migrateMovesExactlyTheValidRowsByteForByte() throws Exception {
        Map<String, String> before = LegacyRows.rowHashes(db);
        double headsBefore = heads();
        JsonPath job = run("{\"action\": \"migrate\", \"batchSize\": 25, \"concurrency\": 4, \"wait\": true}");
        assertEquals("completed", job.getString("state"));
        assertEquals("head", job.getString("options.verify"));
        assertEquals(VALID - 30, heads() - headsBefore, "by default every upload is verified by a HEAD");
        assertEquals(VALID - 30 + CORRUPT, job.getLong("total"));
        assertEquals(VALID - 30, job.getLong("migrated"));
        assertEquals(CORRUPT, job.getLong("failed"));
        assertEquals(0, job.getLong("skipped"));
        assertEquals(CORRUPT, job.getLong("errors.total"));
        assertEquals(Set.copyOf(rows.corrupt), Set.copyOf(job.getList("errors.items.imageId", String.class)));
        assertTrue(job.getList("errors.items.attempts", Integer.class).stream().allMatch(a -> a == 1));
        assertEquals(MISMATCHED, job.getLong("report.mimeMismatches.total"));
        assertEquals(rows.valid.values().stream().filter(v -> !retained.contains(v.id())).mapToLong(v -> v.bytes().length).sum(),
                job.getLong("bytes"));

        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            List<S3Object> objects = bucket.list("");
            assertEquals(VALID, objects.size());
            assertTrue(Set.copyOf(rows.validList().stream().map(LegacyRows.Valid::key).toList())
                    .equals(objects.stream().map(S3Object::key).collect(Collectors.toSet())), "exactly the valid rows' keys");
            for (LegacyRows.Valid v : rows.valid.values()) {
                var object = bucket.get(v.key());
                assertArrayEquals(v.bytes(), object.asByteArray(), v.id());
                assertEquals(v.mime(), object.response().contentType(), "stored with the sniffed type");
                Map<String, Object> row = LegacyRows.row(db, v.id());
                assertEquals(v.key(), row.get("r2_key"));
                assertEquals("completed", row.get("migration_status"));
                assertEquals(LegacyRows.sha256Hex(v.bytes()), row.get("sha256"));
                assertEquals(LegacyRows.md5Hex(v.bytes()), row.get("etag"));
                assertEquals((long) v.bytes().length, ((Number) row.get("size_bytes")).longValue());
                assertEquals(v.mime(), row.get("content_type"));
                assertEquals(v.declared(), row.get("image_mime_type"), "the legacy column is left as it was");
                assertEquals(MigrationProfile.PUBLIC_URL + "/" + v.key(), row.get("image_url"));
                assertEquals(v.externalUrl() == null ? "" : v.externalUrl(), row.get("original_image_url"));
                if (retained.contains(v.id())) {
                    assertEquals(v.stored(), row.get("image_data"));
                } else {
                    assertNull(row.get("image_data"));
                }
            }
        }
        Map<String, String> after = LegacyRows.rowHashes(db);
        for (String id : rows.external) {
            assertEquals(before.get(id), after.get(id), "external rows are untouched");
        }
        for (String id : rows.none) {
            assertEquals(before.get(id), after.get(id), "empty rows are untouched");
        }
        for (String id : rows.corrupt) {
            Map<String, Object> row = LegacyRows.row(db, id);
            assertEquals("failed", row.get("migration_status"));
            assertNull(row.get("r2_key"));
            assertTrue(row.get("image_data") != null && !row.get("image_data").toString().isEmpty());
        }
        // Other test classes share this application and its meters: compare with the values before this class ran.
        assertEquals(VALID, images("migrated") - migratedBefore);
        assertEquals(CORRUPT, images("failed") - failedBefore);
        given().when().get("/q/metrics").then().statusCode(200)
                .body(containsString("migration_images_total{action=\"migrate\",outcome=\"migrated\"} "));
        given().when().get(MigrationApi.PATH).then().statusCode(200)
                .body("counts.total", org.hamcrest.Matchers.is(300))
                .body("counts.r2Only", org.hamcrest.Matchers.is(VALID - 30))
                .body("counts.both", org.hamcrest.Matchers.is(30))
                .body("counts.base64Only", org.hamcrest.Matchers.is(CORRUPT))
                .body("counts.external", org.hamcrest.Matchers.is(50))
                .body("counts.none", org.hamcrest.Matchers.is(20))
                .body("r2.status", org.hamcrest.Matchers.is("connected"))
                .body("lastJob.jobId", org.hamcrest.Matchers.is(job.getString("jobId")));
    }

    @Test
    @Order(4)
    void secondMigrateUploadsNothing() throws Exception {
        long puts = (long) registry.get("r2.put.duration").timer().count();
        Map<String, String> listing;
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            listing = bucket.list("").stream().collect(Collectors.toMap(S3Object::key, o -> o.eTag() + o.lastModified()));
        }
        JsonPath job = run("{\"action\": \"migrate\", \"wait\": true}");
        assertEquals("completed", job.getString("state"));
        assertEquals(CORRUPT, job.getLong("total"));
        assertEquals(0, job.getLong("migrated"));
        assertEquals(CORRUPT, job.getLong("failed"));
        assertEquals(0, job.getLong("bytes"));
        assertEquals(puts, (long) registry.get("r2.put.duration").timer().count(), "no PUT was sent");
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertEquals(listing, bucket.list("").stream().collect(Collectors.toMap(S3Object::key, o -> o.eTag() + o.lastModified())));
        }
    }

    @Test
    @Order(5)
    void validateFindsEveryObjectAndAPlantedOrphan() {
        JsonPath job = run("{\"action\": \"validate\", \"wait\": true}");
        assertEquals("completed", job.getString("state"));
        assertEquals(VALID, job.getLong("total"));
        assertEquals(VALID, job.getLong("valid"));
        assertEquals(0, job.getLong("missing.total"));
        assertEquals(0, job.getLong("corrupted.total"));
        assertTrue(job.getBoolean("isValid"));
        assertEquals(50, job.getLong("report.scope.external"), "external rows are reported apart");
        assertEquals(20, job.getLong("report.scope.none"));

        String planted = "images/gen-x/planted-without-row.png";
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            bucket.put(planted, new byte[] { 1, 2, 3 }, "image/png");
            JsonPath withOrphans = run("{\"action\": \"validate\", \"orphans\": true, \"wait\": true}");
            assertEquals(VALID, withOrphans.getLong("valid"));
            assertEquals(1, withOrphans.getLong("orphaned.total"));
            assertEquals(List.of(planted), withOrphans.getList("orphaned.items", String.class));
            assertEquals(VALID + 1, withOrphans.getLong("report.objectsScanned"));
            assertTrue(withOrphans.getBoolean("isValid"), "an orphan wastes space but loses no image");
            bucket.delete(planted);
        }

        JsonPath sampled = run("{\"action\": \"validate\", \"sampleSize\": 20, \"wait\": true}");
        assertEquals(20, sampled.getLong("valid"));
        assertEquals(VALID - 20, sampled.getLong("skipped"));
        assertEquals(VALID, sampled.getLong("processed"));
    }

    @Test
    @Order(6)
    void checkIntegrityCatchesBytesChangedBehindTheServicesBack() throws Exception {
        LegacyRows.Valid victim = rows.validList().stream().filter(v -> v.ext().equals("png") && !retained.contains(v.id()))
                .findFirst().orElseThrow();
        byte[] changed = victim.bytes().clone();
        changed[changed.length / 2] ^= 0x5A;
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            bucket.put(victim.key(), changed, victim.mime());
            JsonPath head = run("{\"action\": \"validate\", \"wait\": true}");
            assertEquals(VALID - 1, head.getLong("valid"));
            assertEquals(List.of(victim.id()), head.getList("corrupted.items", String.class));
            assertFalse(head.getBoolean("isValid"));

            JsonPath full = run("{\"action\": \"validate\", \"checkIntegrity\": true, \"wait\": true}");
            assertEquals(VALID - 1, full.getLong("valid"));
            assertEquals(1, full.getLong("corrupted.total"));
            assertEquals(List.of(victim.id()), full.getList("corrupted.items", String.class));
            assertFalse(full.getBoolean("isValid"));

            // Same size, same ETag recorded nowhere: only the download and SHA-256 can tell. Forget the ETag to prove it.
            LegacyRows.execute(db, "UPDATE images SET etag = NULL WHERE id = ?", victim.id());
            JsonPath headOnly = run("{\"action\": \"validate\", \"wait\": true}");
            assertEquals(0, headOnly.getLong("corrupted.total"), "HEAD alone cannot see a same-size change");
            JsonPath integrity = run("{\"action\": \"validate\", \"checkIntegrity\": true, \"wait\": true}");
            assertEquals(List.of(victim.id()), integrity.getList("corrupted.items", String.class));
            assertTrue(integrity.getString("errors.items[0].error").contains("SHA-256"));

            bucket.put(victim.key(), victim.bytes(), victim.mime());
            LegacyRows.execute(db, "UPDATE images SET etag = ? WHERE id = ?", LegacyRows.md5Hex(victim.bytes()), victim.id());
        }
        JsonPath repaired = run("{\"action\": \"validate\", \"checkIntegrity\": true, \"wait\": true}");
        assertEquals(VALID, repaired.getLong("valid"));
        assertTrue(repaired.getBoolean("isValid"));
    }

    @Test
    @Order(7)
    void purgeClearsOnlyRetainedVerifiedRowsOlderThanTheThreshold() throws Exception {
        long old = Instant.now().minusSeconds(40L * 86_400).getEpochSecond();
        List<String> aged = retained.subList(0, 11);
        for (String id : aged) {
            LegacyRows.execute(db, "UPDATE images SET migrated_at = ? WHERE id = ?", old, id);
        }
        String unverified = aged.get(10);
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            bucket.delete(rows.valid.get(unverified).key());
        }
        Map<String, String> before = LegacyRows.rowHashes(db);

        JsonPath dry = run("{\"action\": \"purge\", \"olderThanDays\": 30, \"dryRun\": true, \"wait\": true}");
        assertEquals(10, dry.getLong("purged"));
        assertEquals(before, LegacyRows.rowHashes(db));

        JsonPath job = run("{\"action\": \"purge\", \"olderThanDays\": 30, \"wait\": true}");
        assertEquals("completed", job.getString("state"));
        assertEquals(11, job.getLong("total"));
        assertEquals(10, job.getLong("purged"));
        assertEquals(1, job.getLong("failed"));
        assertEquals(unverified, job.getString("errors.items[0].imageId"));
        long reclaimed = aged.subList(0, 10).stream().mapToLong(id -> rows.valid.get(id).stored().length()).sum();
        assertEquals(reclaimed, job.getLong("report.base64BytesCleared"));
        for (String id : retained) {
            Object data = LegacyRows.row(db, id).get("image_data");
            if (aged.subList(0, 10).contains(id)) {
                assertNull(data, "old, verified, retained: purged");
            } else {
                assertEquals(rows.valid.get(id).stored(), data, "too young or not verified: kept");
            }
        }
        Map<String, String> after = LegacyRows.rowHashes(db);
        before.forEach((id, hash) -> {
            if (!aged.subList(0, 10).contains(id)) {
                assertEquals(hash, after.get(id), "purge touched only the purged rows");
            }
        });
    }

    @Test
    @Order(8)
    void rollbackRestoresByteIdenticalBase64() throws Exception {
        Map<String, String> before = LegacyRows.rowHashes(db);
        JsonPath dry = run("{\"action\": \"rollback\", \"dryRun\": true, \"wait\": true}");
        assertEquals(VALID, dry.getLong("rolledBack"));
        assertEquals(before, LegacyRows.rowHashes(db));

        List<LegacyRows.Valid> deleted = rows.validList().stream().filter(v -> !retained.contains(v.id())).limit(5).toList();
        String ids = deleted.stream().map(v -> "\"" + v.id() + "\"").collect(Collectors.joining(", "));
        JsonPath some = run("{\"action\": \"rollback\", \"imageIds\": [" + ids + "], \"deleteFromR2\": true, \"wait\": true}");
        assertEquals(5, some.getLong("rolledBack"));
        assertEquals(5, some.getLong("report.objectsDeleted"));

        JsonPath job = run("{\"action\": \"rollback\", \"wait\": true}");
        assertEquals("completed", job.getString("state"));
        assertEquals(VALID - 5, job.getLong("total"));
        assertEquals(VALID - 5, job.getLong("rolledBack"));
        assertEquals(0, job.getLong("failed"));
        // 30 retained, 10 of them purged: 20 still hold base64 (one of them lost its object), restored without download.
        assertEquals(20, job.getLong("report.restoredFromRetained"));

        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertEquals(VALID - 5 - 1, bucket.list("").size(), "objects are kept unless deleteFromR2");
            for (LegacyRows.Valid v : deleted) {
                assertTrue(bucket.head(v.key()).isEmpty());
            }
        }
        for (LegacyRows.Valid v : rows.valid.values()) {
            Map<String, Object> row = LegacyRows.row(db, v.id());
            String data = (String) row.get("image_data");
            if (v.dataUrl() && !data.startsWith("data:")) {
                assertArrayEquals(v.bytes(), Base64.getDecoder().decode(data), v.id());
            } else {
                assertEquals(v.stored(), data, v.id());
            }
            assertNull(row.get("r2_key"));
            assertEquals("rolled_back", row.get("migration_status"));
            assertEquals(v.mime(), row.get("image_mime_type"), "the true type is written back");
            assertEquals(v.externalUrl(), row.get("image_url"), "the URL from before the migration is back");
            assertNull(row.get("original_image_url"));
        }
        assertEquals(0, LegacyRows.count(db, "SELECT COUNT(*) FROM images WHERE r2_key IS NOT NULL"));
        assertEquals(0, LegacyRows.count(db, "SELECT COUNT(*) FROM migration_job_items"));
    }
}
