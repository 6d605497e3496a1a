package io.zinteract.images.migration;

import io.restassured.path.json.JsonPath;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.server.ServiceProcess;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The {@code variants} backfill on packaged replicas: one is killed with SIGKILL in the middle of the job, the other
 * takes its batches over, and every image ends with exactly its eager presets' variants, one row and one object each
 * (a variant the dead replica had written is found and not made again).
 */
class VariantsKillIT {

    static final int IMAGES = 40;
    static final int PRESETS = 3;

    @Test
    void aReplicaKilledMidBackfillLeavesEveryImageWithEachVariantOnce() throws Exception {
        Map<String, String> settings = Map.of("MIGRATION_LEASE", "PT3S", "MIGRATION_HEARTBEAT", "PT0.5S",
                "MIGRATION_JOIN_INTERVAL", "PT0.2S");
        try (ReplicaCluster cluster = ReplicaCluster.start("variants-kill", settings, "replica-a", "replica-b")) {
            DataSource db = cluster.dataSource();
            new LegacyRows(db).png(IMAGES, "image/png");
            ServiceProcess a = cluster.replica("replica-a");
            ServiceProcess b = cluster.replica("replica-b");
            String migrate = ReplicaCluster.post(a, "{\"action\": \"migrate\", \"batchSize\": 20}");
            JsonPath migrated = ReplicaCluster.awaitEnd(a, migrate, Duration.ofSeconds(60));
            assertEquals(IMAGES, migrated.getLong("migrated"), migrated.prettify());
            assertEquals(0, LegacyRows.count(db, "SELECT COUNT(*) FROM image_variants"), "VARIANTS_EAGER=false");

            // Latency so that the job takes a few seconds and the kill lands inside it.
            cluster.proxies.values().forEach(p -> p.latency(25));
            String backfill = ReplicaCluster.post(a, "{\"action\": \"variants\", \"batchSize\": 4, \"concurrency\": 1}");
            awaitItems(db, backfill, 3);
            a.kill();
            assertFalse(a.alive());

            JsonPath done = ReplicaCluster.awaitEnd(b, backfill, Duration.ofSeconds(120));
            assertEquals("completed", done.getString("state"), done.prettify());
            assertEquals(IMAGES, done.getLong("processed"), done.prettify());
            assertEquals(0, done.getLong("failed"), done.prettify());

            assertEquals(IMAGES * PRESETS, LegacyRows.count(db, "SELECT COUNT(*) FROM image_variants WHERE format = 'webp'"));
            assertEquals(IMAGES * PRESETS, LegacyRows.count(db,
                    "SELECT COUNT(DISTINCT image_id || '/' || preset) FROM image_variants"));
            assertEquals(IMAGES, LegacyRows.count(db, "SELECT COUNT(*) FROM images WHERE thumbhash IS NOT NULL"));
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
    private static void awaitItems(DataSource db, String jobId, long count) throws Exception {
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
