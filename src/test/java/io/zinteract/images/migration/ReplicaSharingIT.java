package io.zinteract.images.migration;

import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.server.ServiceProcess;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two packaged services on one PostgreSQL database run one migration together: the replica that did not start the job
 * joins it, both upload a share, and every valid image is uploaded exactly once (counted per key at each replica's own
 * proxy, not taken from the service's word), lands byte for byte, and is counted once in the job.
 */
class ReplicaSharingIT {

    static final int PNG = 100;
    static final int JPEG = 100;
    static final int WEBP = 100;
    static final int VALID = PNG + JPEG + WEBP;
    static final int CORRUPT = 10;

    @Test
    void tworeplicasShareOneMigrationAndUploadEveryImageOnce() throws Exception {
        Map<String, String> settings = Map.of("MIGRATION_LEASE", "PT3S", "MIGRATION_HEARTBEAT", "PT0.5S",
                "MIGRATION_JOIN_INTERVAL", "PT0.2S");
        try (ReplicaCluster cluster = ReplicaCluster.start("sharing", settings, "replica-a", "replica-b")) {
            DataSource db = cluster.dataSource();
            LegacyRows rows = new LegacyRows(db).png(PNG, "image/png").jpeg(JPEG, "image/jpeg", false).webp(WEBP)
                    .corrupt(CORRUPT);
            // A little latency per request, as a remote store has, so the job lasts long enough for B to join it.
            cluster.proxies.values().forEach(p -> p.latency(10));
            ServiceProcess a = cluster.replica("replica-a");
            ServiceProcess b = cluster.replica("replica-b");

            String id = ReplicaCluster.post(a, "{\"action\": \"migrate\", \"batchSize\": 10, \"concurrency\": 2}");
            JsonPath done = ReplicaCluster.awaitEnd(b, id, Duration.ofSeconds(40));


            assertEquals("completed", done.getString("state"), done.prettify());
            assertEquals(VALID + CORRUPT, done.getLong("total"));
            assertEquals(VALID + CORRUPT, done.getLong("processed"));
            assertEquals(VALID, done.getLong("migrated"));
            assertEquals(CORRUPT, done.getLong("failed"));
            assertEquals(0, done.getLong("skipped"));
            assertEquals(rows.valid.values().stream().mapToLong(v -> v.bytes().length).sum(), done.getLong("bytes"));

            // Shares as the job reports them, and as each replica's own proxy saw them.
            Map<String, Long> processed = new HashMap<>();
            Map<String, Long> succeeded = new HashMap<>();
            for (Map<String, Object> share : done.<Map<String, Object>>getList("workers")) {
                processed.put((String) share.get("workerId"), ((Number) share.get("processed")).longValue());
                succeeded.put((String) share.get("workerId"), ((Number) share.get("succeeded")).longValue());
            }
            assertEquals(Set.of("replica-a", "replica-b"), processed.keySet(), done.prettify());
            assertTrue(processed.get("replica-a") > 0 && processed.get("replica-b") > 0, "both replicas did work: " + processed);
            assertEquals(VALID + CORRUPT, processed.values().stream().mapToLong(Long::longValue).sum());
            Map<String, Integer> putsA = cluster.proxies.get("replica-a").forwardedPuts();
            Map<String, Integer> putsB = cluster.proxies.get("replica-b").forwardedPuts();
            assertEquals(succeeded.get("replica-a"), (long) putsA.size(), "A uploaded what it reports");
            assertEquals(succeeded.get("replica-b"), (long) putsB.size(), "B uploaded what it reports");
            assertTrue(putsA.values().stream().allMatch(n -> n == 1) && putsB.values().stream().allMatch(n -> n == 1),
                    "no key PUT twice by one replica");
            assertTrue(putsA.keySet().stream().noneMatch(putsB::containsKey), "no key PUT by both replicas");
            Set<String> validKeys = rows.valid.values().stream().map(LegacyRows.Valid::key).collect(Collectors.toSet());
            Set<String> uploaded = new java.util.HashSet<>(putsA.keySet());
            uploaded.addAll(putsB.keySet());
            assertEquals(validKeys, uploaded, "each valid image uploaded exactly once, nothing else");
            System.out.printf("ReplicaSharingIT: %d rows; replica-a processed %d (uploaded %d), replica-b processed %d "
                    + "(uploaded %d); PUTs per key: 1 for all %d keys%n", VALID + CORRUPT, processed.get("replica-a"),
                    putsA.size(), processed.get("replica-b"), putsB.size(), uploaded.size());

            assertBucketAndRows(cluster, db, rows);
        }
    }

    /** The bucket holds exactly the valid images, byte for byte; each row points at its object; nothing is left over. */
    static void assertBucketAndRows(ReplicaCluster cluster, DataSource db, LegacyRows rows) throws Exception {
        try (BucketClient bucket = cluster.bucket()) {
            List<S3Object> objects = bucket.list("");
            assertEquals(rows.valid.values().stream().map(LegacyRows.Valid::key).collect(Collectors.toSet()),
                    objects.stream().map(S3Object::key).collect(Collectors.toSet()));
            for (LegacyRows.Valid v : rows.valid.values()) {
                assertArrayEquals(v.bytes(), bucket.get(v.key()).asByteArray(), v.id());
                Map<String, Object> row = LegacyRows.row(db, v.id());
                assertEquals(v.key(), row.get("r2_key"));
                assertNull(row.get("image_data"));
            }
        }
        for (String id : rows.corrupt) {
            assertNull(LegacyRows.row(db, id).get("r2_key"));
        }
        assertEquals(0, LegacyRows.count(db, "SELECT COUNT(*) FROM migration_job_items"), "every result folded");
        assertEquals(0, LegacyRows.count(db, "SELECT COUNT(*) FROM migration_claims WHERE batch_no >= 0"), "no batch open");
    }
}
