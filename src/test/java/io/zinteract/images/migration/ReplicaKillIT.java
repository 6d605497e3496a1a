package io.zinteract.images.migration;

import software.amazon.awssdk.services.s3.model.S3Object;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.server.ServiceProcess;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One of two replicas is killed with SIGKILL in the middle of a job (a migration; a variants backfill below): the other
 * takes its batches over once their lease has run out (not before), and the job ends with every image migrated once and
 * nothing lost. A batch's rows are
 * committed together, so the only images uploaded twice are those of the batch the dead replica held (PUT done, batch
 * not yet committed): at most a batch, always once by each replica, the second PUT finding the object already there.
 */
class ReplicaKillIT {

    static final int VALID = 300;
    static final int CORRUPT = 10;
    static final int CONCURRENCY = 2;
    static final int BATCH_SIZE = 20;
    static final Duration LEASE = Duration.ofSeconds(3);
    static final Duration HEARTBEAT = Duration.ofMillis(500);

    @Test
    void aReplicaKilledMidBatchLosesNothingAndItsBatchesAreTakenOverAfterTheLease() throws Exception {
        Map<String, String> settings = Map.of("MIGRATION_LEASE", LEASE.toString(), "MIGRATION_HEARTBEAT",
                HEARTBEAT.toString(), "MIGRATION_JOIN_INTERVAL", "PT0.2S");
        try (ReplicaCluster cluster = ReplicaCluster.start("kill", settings, "replica-a", "replica-b")) {
            DataSource db = cluster.dataSource();
            LegacyRows rows = new LegacyRows(db).png(VALID / 2, "image/png").webp(VALID / 2).corrupt(CORRUPT);
            // Latency so that a batch of 20 takes a while and the kill lands inside one.
            cluster.proxies.values().forEach(p -> p.latency(25));
            ServiceProcess a = cluster.replica("replica-a");
            ServiceProcess b = cluster.replica("replica-b");

            String id = ReplicaCluster.post(a, "{\"action\": \"migrate\", \"batchSize\": " + BATCH_SIZE
                    + ", \"concurrency\": " + CONCURRENCY + "}");
            // Killed while both work: B has done some images, and A is inside a batch, some of its images uploaded.
            Map<String, String> idByKey = rows.valid.values().stream()
                    .collect(Collectors.toMap(LegacyRows.Valid::key, LegacyRows.Valid::id));
            Map<Long, Set<String>> heldAtKill = awaitBatchUnderWay(db, id, "replica-a", "replica-b",
                    () -> cluster.proxies.get("replica-a").forwardedPuts().keySet().stream().map(idByKey::get)
                            .collect(Collectors.toSet()));
            a.kill();
            long killedAt = System.currentTimeMillis();
            assertFalse(a.alive());
            long committedByA = countItems(db, id, "replica-a");
            // Read while the claims are A's still (B folds them away after its takeover); A may have claimed another
            // batch between the look above and the kill.
            Set<String> inHeldBatches = heldBatches(db, id, "replica-a").stream()
                    .flatMap(batch -> idsOf(db, id, batch).stream()).collect(Collectors.toSet());
            long leaseEnd = leaseEnd(db, id, "replica-a");

            // A's batches stay A's until their lease runs out (same clock: one machine); then B takes each over.
            long takenAt = awaitTakeover(db, id, "replica-a", heldAtKill.keySet());
            long takenAfter = takenAt - killedAt;
            assertTrue(takenAt >= leaseEnd, "taken over at " + takenAt + ", before A's lease ended at " + leaseEnd);
            assertTrue(takenAfter < LEASE.toMillis() + 10_000, "taken over " + takenAfter + " ms after the kill");

            JsonPath done = ReplicaCluster.awaitEnd(b, id, Duration.ofSeconds(40));
            assertEquals("completed", done.getString("state"), done.prettify());
            assertEquals(VALID + CORRUPT, done.getLong("total"));
            assertEquals(VALID + CORRUPT, done.getLong("processed"));
            assertEquals(VALID, done.getLong("migrated"));
            assertEquals(CORRUPT, done.getLong("failed"));
            assertEquals(0, done.getLong("skipped"));
            assertEquals(CORRUPT, done.getLong("errors.total"));
            assertEquals(rows.valid.values().stream().mapToLong(v -> v.bytes().length).sum(), done.getLong("bytes"));

            Map<String, Long> processed = new HashMap<>();
            for (Map<String, Object> share : done.<Map<String, Object>>getList("workers")) {
                processed.put((String) share.get("workerId"), ((Number) share.get("processed")).longValue());
            }
            assertTrue(processed.getOrDefault("replica-a", 0L) >= committedByA,
                    "what A committed before it died is counted, as A's: " + processed + ", committed " + committedByA);
            assertEquals(VALID + CORRUPT, processed.values().stream().mapToLong(Long::longValue).sum());
            assertTrue(ReplicaCluster.metric(b, "migration_claims_taken_over_total") >= heldAtKill.size());
            for (Long batch : heldAtKill.keySet()) {
                assertTrue(b.log().contains("took over batch " + batch + " ") && b.log().contains("from replica-a"),
                        "B logs the takeover of batch " + batch);
            }

            // PUTs per key, as each replica's own proxy saw them.
            Map<String, Integer> putsA = cluster.proxies.get("replica-a").forwardedPuts();
            Map<String, Integer> putsB = cluster.proxies.get("replica-b").forwardedPuts();
            Set<String> validKeys = rows.valid.values().stream().map(LegacyRows.Valid::key).collect(Collectors.toSet());
            Set<String> uploaded = new java.util.HashSet<>(putsA.keySet());
            uploaded.addAll(putsB.keySet());
            assertEquals(validKeys, uploaded, "every valid image uploaded, nothing else");
            assertTrue(putsA.values().stream().allMatch(n -> n == 1) && putsB.values().stream().allMatch(n -> n == 1),
                    "no replica uploaded a key twice");
            List<String> twice = putsA.keySet().stream().filter(putsB::containsKey).sorted().toList();
            assertTrue(twice.size() <= BATCH_SIZE && twice.stream().map(idByKey::get).allMatch(inHeldBatches::contains),
                    "only images of the batch A held at the kill are uploaded again: " + twice);
            System.out.printf("ReplicaKillIT: %d rows; A held batches %s at the kill (%d results committed by A); "
                    + "taken over %d ms after the kill, %d ms after its lease ended (lease %s); shares %s; PUTs: A %d, "
                    + "B %d, keys PUT twice %d%n", VALID + CORRUPT, heldAtKill, committedByA, takenAfter,
                    takenAt - leaseEnd, LEASE, processed, putsA.size(), putsB.size(), twice.size());

            ReplicaSharingIT.assertBucketAndRows(cluster, db, rows);
        }
    }

    /**
     * Waits until {@code worker} is inside a batch: it holds one of whose images it has uploaded 3 to 15 (none of them
     * recorded: a batch commits its rows together), while {@code other} has done some images too. Returns the batches
     * {@code worker} holds, with the ids of their images it has uploaded.
     */
    private static Map<Long, Set<String>> awaitBatchUnderWay(DataSource db, String jobId, String worker, String other,
            java.util.function.Supplier<Set<String>> uploadedIds) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Map<Long, Set<String>> held = new HashMap<>();
            Set<String> uploaded = uploadedIds.get();
            for (Long batch : heldBatches(db, jobId, worker)) {
                Set<String> ids = new java.util.HashSet<>(idsOf(db, jobId, batch));
                ids.retainAll(uploaded);
                held.put(batch, ids);
            }
            if (held.values().stream().anyMatch(ids -> ids.size() >= 3 && ids.size() <= 15) && countItems(db, jobId, other)
                    + LegacyRows.count(db, "SELECT COALESCE(SUM(processed), 0) FROM migration_job_workers WHERE job_id = '"
                            + jobId + "' AND worker_id = '" + other + "'") > 0) {
                return held;
            }
            Thread.sleep(20);
        }
        fail(worker + " never held a batch under way");
        return null;
    }

    private static List<Long> heldBatches(DataSource db, String jobId, String worker) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT batch_no FROM "
                + "migration_claims WHERE job_id = ? AND claimed_by = ? AND batch_no >= 0")) {
            ps.setString(1, jobId);
            ps.setString(2, worker);
            List<Long> batches = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    batches.add(rs.getLong(1));
                }
            }
            return batches;
        }
    }

    /** The ids of the images in a batch's bounds, compared by the database as the service compares them. */
    private static List<String> idsOf(DataSource db, String jobId, long batch) {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT i.id FROM images i "
                + "JOIN migration_claims c ON i.id > COALESCE(c.after_id, '') AND i.id <= c.through_id "
                + "WHERE c.job_id = ? AND c.batch_no = ?")) {
            ps.setString(1, jobId);
            ps.setLong(2, batch);
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            return ids;
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** When the last lease of {@code worker}'s batches ends (Unix ms). */
    private static long leaseEnd(DataSource db, String jobId, String worker) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT MAX(lease_expires_at) "
                + "FROM migration_claims WHERE job_id = ? AND claimed_by = ? AND batch_no >= 0")) {
            ps.setString(1, jobId);
            ps.setString(2, worker);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Waits until none of {@code batches} is held by {@code worker}; returns when they were taken over: the new claim's
     * {@code claimed_at} when the row is still there, else (already folded) the moment this was seen.
     */
    private static long awaitTakeover(DataSource db, String jobId, String worker, Set<Long> batches) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String marks = String.join(", ", java.util.Collections.nCopies(batches.size(), "?"));
        while (System.nanoTime() < deadline) {
            long seenAt = System.currentTimeMillis();
            List<String> owners = new ArrayList<>();
            long claimedAt = Long.MAX_VALUE;
            try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT claimed_by, "
                    + "claimed_at FROM migration_claims WHERE job_id = ? AND batch_no IN (" + marks + ")")) {
                ps.setString(1, jobId);
                int i = 2;
                for (Long batch : new ArrayList<>(batches)) {
                    ps.setLong(i++, batch);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        owners.add(rs.getString(1));
                        claimedAt = Math.min(claimedAt, rs.getLong(2));
                    }
                }
            }
            if (!owners.contains(worker)) {
                return owners.isEmpty() ? seenAt : claimedAt;
            }
            Thread.sleep(20);
        }
        fail("batches " + batches + " of " + worker + " were never taken over");
        return -1;
    }

    private static long countItems(DataSource db, String jobId, String worker) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM migration_job_items WHERE job_id = ? AND worker_id = ?")) {
            ps.setString(1, jobId);
            ps.setString(2, worker);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    static final int VARIANT_IMAGES = 40;
    static final int PRESETS = 3;

    /**
     * The {@code variants} backfill: the replica left takes the dead one's batches over, and every image ends with exactly
     * its eager presets' variants, one row and one object each (a variant the dead replica had written is found, not
     * made again).
     */
    @Test
    void aReplicaKilledMidBackfillLeavesEveryImageWithEachVariantOnce() throws Exception {
        Map<String, String> settings = Map.of("MIGRATION_LEASE", "PT3S", "MIGRATION_HEARTBEAT", "PT0.5S",
                "MIGRATION_JOIN_INTERVAL", "PT0.2S");
        try (ReplicaCluster cluster = ReplicaCluster.start("variants-kill", settings, "replica-a", "replica-b")) {
            DataSource db = cluster.dataSource();
            new LegacyRows(db).png(VARIANT_IMAGES, "image/png");
            ServiceProcess a = cluster.replica("replica-a");
            ServiceProcess b = cluster.replica("replica-b");
            String migrate = ReplicaCluster.post(a, "{\"action\": \"migrate\", \"batchSize\": 20}");
            JsonPath migrated = ReplicaCluster.awaitEnd(a, migrate, Duration.ofSeconds(60));
            assertEquals(VARIANT_IMAGES, migrated.getLong("migrated"), migrated.prettify());
            assertEquals(0, LegacyRows.count(db, "SELECT COUNT(*) FROM image_variants"), "VARIANTS_EAGER=false");

            // Latency so that the job takes a few seconds and the kill lands inside it.
            cluster.proxies.values().forEach(p -> p.latency(25));
            String backfill = ReplicaCluster.post(a, "{\"action\": \"variants\", \"batchSize\": 4, \"concurrency\": 1}");
            awaitVariantItems(db, backfill, 3);
            a.kill();
            assertFalse(a.alive());

            JsonPath done = ReplicaCluster.awaitEnd(b, backfill, Duration.ofSeconds(120));
            assertEquals("completed", done.getString("state"), done.prettify());
            assertEquals(VARIANT_IMAGES, done.getLong("processed"), done.prettify());
            assertEquals(0, done.getLong("failed"), done.prettify());

            assertEquals(VARIANT_IMAGES * PRESETS, LegacyRows.count(db, "SELECT COUNT(*) FROM image_variants WHERE format = 'webp'"));
            assertEquals(VARIANT_IMAGES * PRESETS, LegacyRows.count(db,
                    "SELECT COUNT(DISTINCT image_id || '/' || preset) FROM image_variants"));
            assertEquals(VARIANT_IMAGES, LegacyRows.count(db, "SELECT COUNT(*) FROM images WHERE thumbhash IS NOT NULL"));
            Map<String, Long> rows = new HashMap<>();
            try (var c = db.getConnection(); var s = c.createStatement();
                    var rs = s.executeQuery("SELECT r2_key, bytes FROM image_variants")) {
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getLong(2));
                }
            }
            try (BucketClient bucket = cluster.bucket()) {
                List<S3Object> objects = bucket.list("variants/");
                Map<String, Long> stored = new HashMap<>();
                objects.forEach(o -> stored.put(o.key(), o.size()));
                assertEquals(rows, stored, "every variant row names an object of its size, and no object is left over");
            }
        }
    }

    /** Waits until the job has recorded {@code count} images, so that the kill comes after some work. */
    private static void awaitVariantItems(DataSource db, String jobId, long count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (LegacyRows.count(db, "SELECT COUNT(*) FROM migration_job_items WHERE job_id = '" + jobId + "'") >= count) {
                return;
            }
            Thread.sleep(20);
        }
        fail("job " + jobId + " recorded fewer than " + count + " images in time");
    }
}
