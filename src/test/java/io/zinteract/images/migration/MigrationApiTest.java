package io.zinteract.images.migration;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.zinteract.images.support.Admin;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.HostileImages;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.MigrationProfile;
import io.zinteract.images.support.profile.S3ProxyResource;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static io.zinteract.images.migration.MigrationApi.PATH;
import static io.zinteract.images.migration.MigrationApi.awaitEnd;
import static io.zinteract.images.migration.MigrationApi.post;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP contract: the seed plan's curl lines, strict request validation, job endpoints, events, backup, metrics. */
@QuarkusTest
@TestProfile(MigrationProfile.class)
class MigrationApiTest {

    @Inject
    AgroalDataSource db;
    @Inject
    CircuitBreakerMaintenance breakers;
    @ConfigProperty(name = "images.sqlite-path")
    String sqlitePath;
    @TestHTTPResource("/")
    URL base;

    LegacyRows rows;

    @BeforeEach
    void seed() throws Exception {
        if (!S3ProxyResource.current().running()) {
            S3ProxyResource.current().start();
        }
        MigrationApi.freshStart(breakers, db);
        rows = new LegacyRows(db).png(6, "image/png").jpeg(4, "image/jpeg", true).corrupt(2).external(3).none(1);
    }

    @Test
    void invalidRequestsAreProblemsAndStartNothing() throws Exception {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("{\"action\": \"migrate\"", "MALFORMED_JSON");
        cases.put("[1, 2]", "MALFORMED_JSON");
        cases.put("{\"action\": \"migrate\", \"action\": \"rollback\"}", "MALFORMED_JSON");
        cases.put("{\"action\": \"migrate\"} trailing", "MALFORMED_JSON");
        cases.put("", "MISSING_FIELD");
        cases.put("{\"dryRun\": true}", "MISSING_FIELD");
        cases.put("{\"action\": \"explode\"}", "INVALID_REQUEST");
        cases.put("{\"action\": 5}", "INVALID_REQUEST");
        cases.put("{\"action\": \"migrate\", \"batchSize\": 0}", "INVALID_REQUEST");
        cases.put("{\"action\": \"migrate\", \"batchSize\": 1001}", "INVALID_REQUEST");
        cases.put("{\"action\": \"migrate\", \"batchSize\": \"10\"}", "INVALID_REQUEST");
        cases.put("{\"action\": \"migrate\", \"batchSize\": 10.5}", "INVALID_REQUEST");
        cases.put("{\"action\": \"migrate\", \"concurrency\": 0}", "INVALID_REQUEST");
        cases.put("{\"action\": \"migrate\", \"concurrency\": 65}", "INVALID_REQUEST");
        cases.put("{\"action\": \"migrate\", \"dryRun\": \"yes\"}", "INVALID_REQUEST");
        cases.put("{\"action\": \"migrate\", \"limit\": -1}", "INVALID_REQUEST");
        cases.put("{\"action\": \"migrate\", \"checkIntegrity\": true}", "INVALID_REQUEST");
        cases.put("{\"action\": \"migrate\", \"bogus\": 1}", "INVALID_REQUEST");
        cases.put("{\"action\": \"migrate\", \"imageIds\": []}", "INVALID_REQUEST");
        // Legacy ids are taken as they are ("../etc/passwd" is a legal legacy id: it only ever binds as an SQL
        // parameter and its key is encoded); control characters and oversized ids are not.
        cases.put("{\"action\": \"migrate\", \"imageIds\": [\"a\\u0000b\"]}", "INVALID_REQUEST");
        cases.put("{\"action\": \"migrate\", \"imageIds\": [\"" + "x".repeat(1025) + "\"]}", "INVALID_REQUEST");
        cases.put("{\"action\": \"migrate\", \"imageIds\": \"abc\"}", "INVALID_REQUEST");
        cases.put("{\"action\": \"migrate\", \"verify\": \"sha256\"}", "INVALID_REQUEST");
        cases.put("{\"action\": \"migrate\", \"verify\": true}", "INVALID_REQUEST");
        cases.put("{\"action\": \"rollback\", \"verify\": \"etag\"}", "INVALID_REQUEST");
        cases.put("{\"action\": \"validate\", \"sampleSize\": 0}", "INVALID_REQUEST");
        cases.put("{\"action\": \"purge\", \"olderThanDays\": -1}", "INVALID_REQUEST");
        cases.put("{\"action\": \"backup\", \"path\": \"/etc/cron.d/x\"}", "INVALID_REQUEST");
        cases.put("{\"action\": \"pause\", \"jobId\": 7}", "INVALID_REQUEST");
        for (var c : cases.entrySet()) {
            for (String type : List.of("application/json", "application/x-www-form-urlencoded")) {
                Response response = given().header(Admin.auth()).contentType(type).body(c.getKey())
                        .when().post(PATH);
                assertEquals(400, response.statusCode(), c.getKey() + " as " + type);
                assertEquals("application/problem+json", response.contentType(), c.getKey());
                assertEquals(c.getValue(), response.path("code"), c.getKey() + " as " + type);
                assertEquals(400, (int) response.path("status"));
            }
        }
        assertEquals(0, LegacyRows.count(db, "SELECT COUNT(*) FROM migration_jobs"), "nothing started");
    }

    @Test
    void theSeedPlansCurlLinesWorkAsWritten() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl is not installed");
        String url = base.toString().replaceAll("/$", "") + PATH;

        // Phase 3.2, step 1: test R2 connectivity.
        JsonPath status = curl(200, url);
        assertEquals("connected", status.getString("r2.status"));
        assertEquals(10, status.getInt("batchSize"));
        assertEquals(12, status.getInt("counts.base64Only"));
        assertTrue(status.getBoolean("migrationReady"));

        // Step 2: dry run; step 3: migrate; step 4: validate. Each returns the job it started (202).
        JsonPath dry = curl(202, "-X", "POST", url, "-H", "Content-Type: application/json", "-d",
                "{\"action\": \"migrate\", \"dryRun\": true}");
        assertEquals(10, awaitEnd(dry.getString("jobId")).getLong("migrated"));
        assertEquals(0, LegacyRows.count(db, "SELECT COUNT(*) FROM images WHERE r2_key IS NOT NULL"));

        JsonPath migrate = curl(202, "-X", "POST", url, "-H", "Content-Type: application/json", "-d",
                "{\"action\": \"migrate\", \"batchSize\": 10}");
        assertEquals(10, migrate.getInt("options.batchSize"));
        JsonPath migrated = awaitEnd(migrate.getString("jobId"));
        assertEquals(10, migrated.getLong("migrated"));
        assertEquals(2, migrated.getLong("failed"));

        JsonPath validate = curl(202, "-X", "POST", url, "-H", "Content-Type: application/json", "-d",
                "{\"action\": \"validate\"}");
        JsonPath validated = awaitEnd(validate.getString("jobId"));
        assertEquals(10, validated.getLong("valid"));
        assertTrue(validated.getBoolean("isValid"));

        // Phase 4.1, step 2: emergency rollback.
        JsonPath rollback = curl(202, "-X", "POST", url, "-H", "Content-Type: application/json", "-d",
                "{\"action\": \"rollback\"}");
        assertEquals(10, awaitEnd(rollback.getString("jobId")).getLong("rolledBack"));

        // Quick Start: curl -d sends application/x-www-form-urlencoded; the body is JSON all the same.
        JsonPath quick = curl(202, "-X", "POST", url, "-d", "{\"action\": \"migrate\"}");
        assertEquals(10, awaitEnd(quick.getString("jobId")).getLong("migrated"));
        JsonPath monitor = curl(200, url);
        assertEquals(10, monitor.getInt("counts.r2Only"));
        assertEquals(100.0, monitor.getDouble("progressPercent") * 12 / 10, 0.01);
        assertEquals(quick.getString("jobId"), monitor.getString("lastJob.jobId"));
    }

    /**
     * Runs curl with exactly these arguments (the URL made absolute) plus the admin key, which a service with
     * ADMIN_API_KEY set requires; scripts/smoke.sh runs the same lines without it against ./run.sh's sandbox.
     */
    private static JsonPath curl(int expectedStatus, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-s", "-w", "\n%{http_code}", "-H",
                "Authorization: Bearer " + Admin.KEY));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), out);
        int newline = out.lastIndexOf('\n');
        assertEquals(expectedStatus, Integer.parseInt(out.substring(newline + 1).trim()), out);
        return new JsonPath(out.substring(0, newline));
    }

    @Test
    void jsonBodiesAreAcceptedUnderAnyContentType() {
        for (String type : List.of("application/x-www-form-urlencoded", "text/plain", "application/json; charset=UTF-8")) {
            JsonPath job = given().header(Admin.auth()).contentType(type).body("{\"action\": \"migrate\", \"dryRun\": true, \"wait\": true}")
                    .when().post(PATH).then().statusCode(200).extract().jsonPath();
            assertEquals("completed", job.getString("state"), type);
            assertEquals(10, job.getLong("migrated"), type);
        }
    }

    @Test
    void jobsCanBeReadAndFollowedAsServerSentEvents() throws Exception {
        // The store is away while the stream is read, so the job shows running, then waiting, then completed.
        S3ProxyResource.current().stop();
        Response started = post("{\"action\": \"migrate\", \"batchSize\": 1, \"concurrency\": 1}");
        assertEquals(202, started.statusCode());
        String id = started.path("jobId");
        assertTrue(started.header("Location").endsWith("/api/migrate-images/jobs/" + id));
        CompletableFuture<String> stream = CompletableFuture.supplyAsync(() -> given().accept("text/event-stream")
                .when().get(PATH + "/jobs/" + id + "/events").then().statusCode(200)
                .contentType(containsString("text/event-stream")).extract().asString());
        MigrationApi.await(id, j -> j.getString("state").equals("waiting-for-storage"), Duration.ofSeconds(30));
        MigrationApi.sleep(300);
        S3ProxyResource.current().start();

        List<JsonPath> snapshots = stream.get(60, TimeUnit.SECONDS).lines().filter(l -> l.startsWith("data:"))
                .map(l -> new JsonPath(l.substring(5).trim())).toList();
        List<String> states = snapshots.stream().map(s -> s.getString("state")).distinct().toList();
        assertTrue(states.contains("waiting-for-storage") && states.get(states.size() - 1).equals("completed"),
                "states streamed: " + states);
        JsonPath last = snapshots.get(snapshots.size() - 1);
        assertEquals(10, last.getLong("migrated"));
        assertEquals(1, snapshots.stream().filter(s -> s.getString("state").equals("completed")).count(),
                "the stream ends with the first snapshot that shows the end");
        for (int i = 1; i < snapshots.size(); i++) {
            assertTrue(snapshots.get(i).getLong("processed") >= snapshots.get(i - 1).getLong("processed"));
        }

        given().when().get(PATH + "/jobs/" + id).then().statusCode(200).body("jobId", is(id))
                .body("state", is("completed")).body("total", is(12)).body("processed", is(12))
                .body("errors.total", is(2)).body("throughput.imagesPerSecond", org.hamcrest.Matchers.greaterThan(0f));
        given().when().get(PATH + "/jobs/no-such-job").then().statusCode(404)
                .contentType("application/problem+json").body("code", is("JOB_NOT_FOUND"));
        given().when().get(PATH + "/jobs/no-such-job/events").then().statusCode(404).body("code", is("JOB_NOT_FOUND"));
        given().when().get(PATH + "/jobs/bad.id").then().statusCode(400).body("code", is("INVALID_ID"));
    }

    @Test
    void limitStopsAfterThatManyRows() throws Exception {
        JsonPath job = MigrationApi.run("{\"action\": \"migrate\", \"limit\": 5, \"batchSize\": 2, \"wait\": true}");
        assertEquals("completed", job.getString("state"));
        assertEquals(5, job.getLong("total"));
        assertEquals(5, job.getLong("processed"));
        assertEquals(job.getLong("migrated"), LegacyRows.count(db, "SELECT COUNT(*) FROM images WHERE r2_key IS NOT NULL"));
        assertEquals(job.getLong("failed"), LegacyRows.count(db, "SELECT COUNT(*) FROM images WHERE migration_status = 'failed'"));
        JsonPath rest = MigrationApi.run("{\"action\": \"migrate\", \"wait\": true}");
        assertEquals(12 - 5 + job.getLong("failed"), rest.getLong("total"), "failed rows stay pending and are tried again");
        assertEquals(10, job.getLong("migrated") + rest.getLong("migrated"));
    }

    @Test
    void controlsNeedAJobInTheRightState() {
        post("{\"action\": \"pause\"}").then().statusCode(409).contentType("application/problem+json")
                .body("code", is("JOB_NOT_ACTIVE"));
        post("{\"action\": \"cancel\"}").then().statusCode(409).body("code", is("JOB_NOT_ACTIVE"));
        String id = MigrationApi.run("{\"action\": \"migrate\", \"dryRun\": true, \"wait\": true}").getString("jobId");
        post("{\"action\": \"resume\", \"jobId\": \"" + id + "\"}").then().statusCode(409)
                .body("code", is("JOB_NOT_ACTIVE")).body("jobId", is(id)).body("state", is("completed"));
        post("{\"action\": \"pause\", \"jobId\": \"missing-job\"}").then().statusCode(404).body("code", is("JOB_NOT_FOUND"));
        post("{\"action\": \"status\"}").then().statusCode(200).body("counts.total", is(16))
                .body("counts.external", is(3)).body("counts.none", is(1)).body("lastJob.jobId", is(id))
                .body("enableR2Storage", is(false));
        post("{\"action\": \"status\", \"jobId\": \"" + id + "\"}").then().statusCode(200).body("jobId", is(id));
    }

    @Test
    void backupWritesAConsistentCopyNextToTheDatabase() throws Exception {
        JsonPath job = MigrationApi.run("{\"action\": \"backup\", \"wait\": true}");
        assertEquals("completed", job.getString("state"));
        Path file = Path.of(job.getString("report.backupPath"));
        assertEquals(Path.of(sqlitePath).toAbsolutePath().getParent().resolve("backups"), file.getParent());
        assertTrue(Files.size(file) > 0);
        assertEquals(Files.size(file), job.getLong("report.backupBytes"));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*), SUM(length(image_data)) FROM images")) {
            rs.next();
            assertEquals(16, rs.getLong(1));
            assertEquals(LegacyRows.count(db, "SELECT SUM(length(image_data)) FROM images"), rs.getLong(2));
        }
    }

    @Test
    void metricsAreOnTheMetricsEndpoint() {
        MigrationApi.run("{\"action\": \"migrate\", \"wait\": true}");
        given().when().get(MigrationApi.PATH).then().statusCode(200);
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String name : List.of("migration_images_total{action=\"migrate\",outcome=\"migrated\"}",
                "migration_images_total{action=\"migrate\",outcome=\"failed\"}", "migration_uploaded_bytes_total",
                "migration_upload_duration_seconds_count", "migration_base64_bytes_remaining",
                "migration_job_state{state=\"running\"}", "migration_job_state{state=\"waiting-for-storage\"}")) {
            assertTrue(metrics.contains(name), name);
        }
        long remaining = 0;
        for (String line : metrics.lines().toList()) {
            if (line.startsWith("migration_base64_bytes_remaining")) {
                remaining = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        assertEquals(rows.corrupt.stream().mapToLong(id -> {
            try {
                return LegacyRows.row(db, id).get("image_data").toString().length();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).sum(), remaining, "only the corrupt rows' base64 is left");
        given().when().get("/q/metrics").then().body(containsString("migration_job_state")).body(endsWith("\n"));
    }

    /**
     * Legacy rows that would now be refused as uploads are still migrated byte for byte (nothing is lost or blocked),
     * and both the dry run and the migration list them under {@code suspicious} with the reason.
     */
    @Test
    void legacyImagesFailingTheNewChecksAreMigratedAndReportedSuspicious() throws Exception {
        byte[] polyglot = HostileImages.concat(TestImages.png(10, 10, 91), HostileImages.html());
        byte[] bomb = HostileImages.pngDeclaring(100_000, 100_000, 2048);
        String polyglotId = rows.raw(polyglot, "image/png", "png");
        String bombId = rows.raw(bomb, "image/png", "png");
        LegacyRows.Valid clean = rows.validList().get(0);
        String ids = "[\"" + polyglotId + "\", \"" + bombId + "\", \"" + clean.id() + "\"]";

        JsonPath dry = MigrationApi.run("{\"action\": \"migrate\", \"dryRun\": true, \"wait\": true, \"imageIds\": " + ids + "}");
        assertEquals(3, dry.getLong("report.keys.total"));
        assertSuspicious(dry, polyglotId, bombId);
        assertEquals(0, MigrationApi.bucketSize(), "a dry run writes nothing");

        JsonPath migrated = MigrationApi.run("{\"action\": \"migrate\", \"wait\": true, \"imageIds\": " + ids + "}");
        assertEquals(3, migrated.getLong("migrated"));
        assertEquals(0, migrated.getLong("failed"));
        assertSuspicious(migrated, polyglotId, bombId);
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            for (var entry : Map.of(polyglotId, polyglot, bombId, bomb, clean.id(), clean.bytes()).entrySet()) {
                String key;
                try (Connection c = db.getConnection();
                        var ps = c.prepareStatement("SELECT r2_key, migration_status FROM images WHERE id = ?")) {
                    ps.setString(1, entry.getKey());
                    try (ResultSet rs = ps.executeQuery()) {
                        assertTrue(rs.next());
                        key = rs.getString(1);
                        assertEquals("completed", rs.getString(2));
                    }
                }
                org.junit.jupiter.api.Assertions.assertArrayEquals(entry.getValue(), bucket.get(key).asByteArray());
            }
        }
    }

    private static void assertSuspicious(JsonPath job, String polyglotId, String bombId) {
        assertEquals(2, job.getLong("report.suspicious.total"), job.prettify());
        Map<String, String> reasons = new java.util.HashMap<>();
        for (int i = 0; i < 2; i++) {
            reasons.put(job.getString("report.suspicious.items[" + i + "].imageId"),
                    job.getString("report.suspicious.items[" + i + "].detail"));
        }
        assertTrue(reasons.get(polyglotId).startsWith("IMAGE_TRAILING_DATA: "), reasons.toString());
        assertTrue(reasons.get(bombId).startsWith("IMAGE_TOO_MANY_PIXELS: "), reasons.toString());
    }
}
