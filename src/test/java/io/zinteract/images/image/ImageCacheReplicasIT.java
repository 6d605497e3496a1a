package io.zinteract.images.image;

import io.restassured.response.Response;
import io.zinteract.images.migration.ReplicaCluster;
import io.zinteract.images.support.Admin;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.server.ServiceProcess;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two packaged replicas on one PostgreSQL database: replica A deletes, migrates and rolls back images that replica B
 * has cached, and B must stop giving the old answer within {@code IMAGE_CACHE_TTL} (polled, with a deadline of the TTL
 * plus what a request and the poll interval take). B is shown to answer from its cache first (its hit counter moves),
 * so the test cannot pass because nothing was cached.
 */
class ImageCacheReplicasIT {

    static final Duration TTL = Duration.ofSeconds(2);
    /** A request and a poll interval on a busy machine, on top of the TTL. */
    static final Duration SLACK = Duration.ofMillis(1500);

    @Test
    void anotherReplicasWritesReachThisOneWithinTheTtl() throws Exception {
        try (ReplicaCluster cluster = ReplicaCluster.start("cache", Map.of("IMAGE_CACHE_TTL", TTL.toString()),
                "replica-a", "replica-b")) {
            DataSource db = cluster.dataSource();
            ServiceProcess a = cluster.replica("replica-a");
            ServiceProcess b = cluster.replica("replica-b");
            byte[] retained = TestImages.png(30, 20, 1);
            byte[] moved = TestImages.png(31, 21, 2);
            byte[] deleted = TestImages.png(32, 22, 3);
            String retainedId = insertBase64Row(db, retained);
            String movedId = insertBase64Row(db, moved);
            String deletedId = insertBase64Row(db, deleted);
            for (String id : new String[] { retainedId, movedId, deletedId }) {
                assertCached(b, id, 200);
            }

            // Migrated with its base64 retained: B's cached row could go on serving it, until it expires.
            String job = ReplicaCluster.post(a, "{\"action\": \"migrate\", \"retainBase64\": true, \"imageIds\": [\""
                    + retainedId + "\"]}");
            assertEquals("completed", ReplicaCluster.awaitEnd(a, job, Duration.ofSeconds(30)).getString("state"));
            Response redirect = await(b, retainedId, r -> r.statusCode() == 302, "a redirect to its object");
            assertEquals("r2", redirect.header("X-Image-Storage"));
            assertTrue(redirect.header("Location").contains(retainedId + ".png?"), redirect.header("Location"));

            // Migrated without: B may answer the same bytes from its cached row and decoded bytes, within the TTL.
            job = ReplicaCluster.post(a, "{\"action\": \"migrate\", \"imageIds\": [\"" + movedId + "\"]}");
            assertEquals("completed", ReplicaCluster.awaitEnd(a, job, Duration.ofSeconds(30)).getString("state"));
            await(b, movedId, r -> r.statusCode() == 302, "a redirect to its object");

            // Rolled back (object deleted): B, which has the R2 row cached, goes back to the database.
            assertCached(b, retainedId, 302);
            job = ReplicaCluster.post(a, "{\"action\": \"rollback\", \"deleteFromR2\": true, \"imageIds\": [\""
                    + retainedId + "\"]}");
            assertEquals("completed", ReplicaCluster.awaitEnd(a, job, Duration.ofSeconds(30)).getString("state"));
            Response back = await(b, retainedId, r -> r.statusCode() == 200, "its bytes from the database again");
            assertEquals("base64", back.header("X-Image-Storage"));
            assertArrayEquals(retained, back.asByteArray());

            // Deleted through A: B answers 404 within the TTL, for the R2 row and for the database image whose row
            // and decoded bytes it cached.
            assertCached(b, movedId, 302);
            assertCached(b, deletedId, 200);
            for (String id : new String[] { movedId, deletedId }) {
                given().baseUri(a.baseUrl()).header(Admin.auth()).delete("/api/images/" + id).then().statusCode(204);
            }
            await(b, deletedId, r -> r.statusCode() == 404, "404");
            await(b, movedId, r -> r.statusCode() == 404, "404");
        }
    }

    /** Two GETs on {@code replica}: the second is a hit of its row cache. */
    private static void assertCached(ServiceProcess replica, String id, int status) {
        assertEquals(status, get(replica, id).statusCode());
        double before = hits(replica);
        assertEquals(status, get(replica, id).statusCode());
        assertTrue(hits(replica) > before, replica.name() + " answered " + id + " from its cache");
    }

    /** Polls until {@code expected} holds, failing when that took longer than the TTL and the slack. */
    private static Response await(ServiceProcess replica, String id, Predicate<Response> expected, String what)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + TTL.plus(SLACK).toNanos();
        Response last;
        do {
            last = get(replica, id);
            if (expected.test(last)) {
                return last;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        fail(replica.name() + " still answered " + last.statusCode() + " " + last.headers() + " for " + id + " after "
                + TTL.plus(SLACK) + "; expected " + what);
        return last;
    }

    private static Response get(ServiceProcess replica, String id) {
        return given().baseUri(replica.baseUrl()).redirects().follow(false).get("/api/images/" + id);
    }

    private static double hits(ServiceProcess replica) {
        String text = given().baseUri(replica.baseUrl()).get("/q/metrics").then().statusCode(200).extract().asString();
        return text.lines().filter(l -> l.startsWith("cache_gets_total{") && l.contains("cache=\"image-rows\"")
                && l.contains("result=\"hit\"")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static String insertBase64Row(DataSource db, byte[] image) throws Exception {
        String id = UUID.randomUUID().toString();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO images (id, "
                + "persona_id, persona_title, image_data, image_mime_type, prompt, status, migration_status, created_at, "
                + "updated_at) VALUES (?, 'gen-x', 'Legacy', ?, 'image/png', 'legacy', 'completed', 'pending', "
                + "1700000000, 1700000000)")) {
            ps.setString(1, id);
            ps.setString(2, Base64.getEncoder().encodeToString(image));
            ps.executeUpdate();
        }
        return id;
    }
}
