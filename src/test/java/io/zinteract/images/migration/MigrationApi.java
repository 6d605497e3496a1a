package io.zinteract.images.migration;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.zinteract.images.migration.engine.JobRunner;
import io.zinteract.images.support.Admin;
import io.zinteract.images.support.BucketClient;

import java.time.Duration;
import java.util.function.Predicate;
import javax.sql.DataSource;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** HTTP helpers for the migration tests. */
final class MigrationApi {

    static final String PATH = "/api/migrate-images";

    private MigrationApi() {
    }

    static Response post(String json) {
        return given().header(Admin.auth()).contentType(ContentType.JSON).body(json).when().post(PATH);
    }

    /** Posts a job with {@code "wait": true} and returns the finished job (200). */
    static JsonPath run(String json) {
        Response response = post(json);
        assertEquals(200, response.statusCode(), () -> "expected 200 for " + json + ": " + response.asString());
        return response.jsonPath();
    }

    static JsonPath job(String id) {
        return given().when().get(PATH + "/jobs/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** Polls a job until {@code condition} holds. */
    static JsonPath await(String id, Predicate<JsonPath> condition, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        JsonPath last = null;
        while (System.nanoTime() < deadline) {
            last = job(id);
            if (condition.test(last)) {
                return last;
            }
            sleep(20);
        }
        fail("job " + id + " did not reach the expected state within " + limit + "; last: " + (last == null ? "-" : last.prettify()));
        return null;
    }

    static JsonPath awaitEnd(String id) {
        return await(id, j -> !j.getString("state").equals("running") && !j.getString("state").equals("waiting-for-storage"),
                Duration.ofSeconds(90));
    }

    /** Where every migration test starts: breakers closed, no legacy rows, an empty bucket (straight to S3Proxy). */
    static void freshStart(CircuitBreakerMaintenance breakers, DataSource db) throws java.sql.SQLException {
        breakers.resetAll();
        LegacyRows.clear(db);
        emptyBucket();
    }

    /** Cancels the jobs this process still works on, so that the next test finds none running. */
    static void cancelRunning(JobRunner runner) {
        runner.activeJobs().forEach(job -> post("{\"action\": \"cancel\", \"jobId\": \"" + job.id + "\"}"));
    }

    static void emptyBucket() {
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            bucket.list("").forEach(o -> bucket.delete(o.key()));
        }
    }

    static int bucketSize() {
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            return bucket.list("").size();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
