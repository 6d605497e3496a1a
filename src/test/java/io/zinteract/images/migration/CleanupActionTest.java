package io.zinteract.images.migration;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.MigrationProfile;
import io.zinteract.images.support.profile.S3ProxyResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;

import static io.zinteract.images.migration.MigrationApi.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 9, point 7: {@code cleanup} removes exactly the objects no row references and that are older than the grace
 * period (PT6H by default), and never one a pending presigned upload may still use. Ages are set on S3Proxy's files,
 * whose modification time is the object's LastModified.
 */
@QuarkusTest
@TestProfile(MigrationProfile.class)
class CleanupActionTest extends MigrationTestBase {

    static final Instant OLD = Instant.now().minus(Duration.ofHours(7));

    @BeforeEach
    void empty() throws SQLException {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM pending_uploads");
        }
    }

    static void plant(BucketClient bucket, String key, Instant modified) throws Exception {
        bucket.put(key, TestImages.png(9, 9, key.hashCode()), "image/png");
        Path file = S3ProxyResource.current().baseDir().resolve(S3ProxyResource.BUCKET).resolve(key);
        Files.setLastModifiedTime(file, FileTime.from(modified));
    }

    void row(String id, String key) throws SQLException {
        LegacyRows.execute(db, "INSERT INTO images (id, persona_id, persona_title, prompt, provider, status, "
                + "migration_status, r2_key, created_at, updated_at) VALUES (?, 'gen-x', 'T', 'p', 'openai', "
                + "'completed', 'completed', ?, 1700000000, 1700000000)", id, key);
    }

    void upload(String id, String status, long expiresAt) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("INSERT INTO pending_uploads "
                + "(id, image_id, object_key, upload_key, persona_id, persona_title, prompt, provider, content_type, "
                + "size_bytes, status, created_at, expires_at, updated_at) VALUES (?, ?, ?, ?, 'gen-x', 'T', 'p', "
                + "'placeholder', 'image/png', 10, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, "img-" + id);
            ps.setString(3, "images/gen-x/img-" + id + ".png");
            ps.setString(4, "uploads/" + id);
            ps.setString(5, status);
            ps.setLong(6, expiresAt - 900);
            ps.setLong(7, expiresAt);
            ps.setLong(8, expiresAt - 900);
            ps.executeUpdate();
        }
    }

    static Set<String> keys() {
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            return bucket.list("").stream().map(S3Object::key).collect(Collectors.toSet());
        }
    }

    @Test
    void dryRunListsExactlyTheOrphansAndTheRunDeletesExactlyThem() throws Exception {
        long now = Instant.now().getEpochSecond();
        row("ref-1", "images/gen-x/ref-1.png");
        row("ref-2", "images/legacy-c/~mnxwy3bngexq.png");
        upload("up-done", "completed", now - 3600);
        upload("up-live", "pending", now + 600);
        upload("up-verifying", "verifying", now + 60);
        upload("up-abandoned", "pending", now - 2 * 86_400);
        upload("up-rejected", "rejected", now + 600);
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            plant(bucket, "images/gen-x/ref-1.png", OLD); // referenced
            plant(bucket, "images/legacy-c/~mnxwy3bngexq.png", OLD); // referenced, encoded key
            plant(bucket, "images/gen-x/orphan-1.png", OLD); // kill -9 between object and row
            plant(bucket, "images/legacy-c/~mnxwy3bngexa.png", OLD); // orphan with an encoded key
            plant(bucket, "images/gen-x/young-1.png", Instant.now()); // an upload in progress: too young
            plant(bucket, "images/gen-x/img-up-live.png", OLD); // being copied by a live upload's completion
            plant(bucket, "uploads/up-done", OLD); // staging object of a completed upload
            plant(bucket, "uploads/up-live", OLD); // pending, URL still valid
            plant(bucket, "uploads/up-verifying", OLD); // a completion holds it
            plant(bucket, "uploads/up-abandoned", OLD); // expired two days ago, never completed
            plant(bucket, "uploads/up-rejected", OLD); // rejected; its delete had failed
            plant(bucket, "uploads/stray", OLD); // no upload at all
            plant(bucket, "other/not-ours.png", OLD); // outside our prefixes
        }
        Set<String> all = keys();
        assertEquals(13, all.size());
        Set<String> orphans = Set.of("images/gen-x/orphan-1.png", "images/legacy-c/~mnxwy3bngexa.png", "uploads/up-done",
                "uploads/up-abandoned", "uploads/up-rejected", "uploads/stray");

        JsonPath dry = run("{\"action\": \"cleanup\", \"dryRun\": true, \"wait\": true}");
        assertEquals("completed", dry.getString("state"), dry.prettify());
        assertEquals(orphans.size(), dry.getLong("orphaned.total"));
        assertEquals(orphans, Set.copyOf(dry.getList("orphaned.items", String.class)));
        assertEquals(12, dry.getLong("report.objectsScanned"));
        assertEquals(1, dry.getLong("report.keptYoung"));
        assertEquals(3, dry.getLong("report.keptInFlight"));
        org.junit.jupiter.api.Assertions.assertNull(dry.get("report.objectsDeleted"));
        assertEquals(all, keys(), "a dry run deletes nothing");

        JsonPath job = run("{\"action\": \"cleanup\", \"wait\": true}");
        assertEquals("completed", job.getString("state"), job.prettify());
        assertEquals(orphans.size(), job.getLong("report.objectsDeleted"));
        assertEquals(orphans, Set.copyOf(job.getList("orphaned.items", String.class)));
        Set<String> left = new java.util.HashSet<>(all);
        left.removeAll(orphans);
        assertEquals(left, keys(), "exactly the orphans are gone");

        JsonPath again = run("{\"action\": \"cleanup\", \"wait\": true}");
        assertEquals(0, again.getLong("report.objectsDeleted"), "nothing left to delete");
        assertEquals(left, keys());
    }

    @Test
    void cleanupTakesOnlyDryRun() {
        MigrationApi.post("{\"action\": \"cleanup\", \"batchSize\": 5}").then().statusCode(400)
                .body("code", org.hamcrest.Matchers.equalTo("INVALID_REQUEST"));
        MigrationApi.post("{\"action\": \"cleanup\", \"dryRun\": \"yes\"}").then().statusCode(400)
                .body("code", org.hamcrest.Matchers.equalTo("INVALID_REQUEST"));
    }
}
