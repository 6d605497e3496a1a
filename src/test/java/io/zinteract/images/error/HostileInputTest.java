package io.zinteract.images.error;

import io.zinteract.images.support.Admin;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.Sha;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A corpus of hostile requests across every endpoint: each gets a 4xx {@code application/problem+json} with a code,
 * and afterwards the database and the bucket are exactly as before (rows and jobs hashed, objects listed and hashed).
 */
@QuarkusTest
@TestProfile(Profiles.R2Storage.class)
class HostileInputTest {

    static final byte[] PNG = TestImages.png(8, 8, 3);

    /** {@code status} 0 means any 4xx. */
    record Case(String name, int status, Function<RequestSpecification, Response> call) {
    }

    static RequestSpecification admin(RequestSpecification r) {
        return r.header(Admin.auth());
    }

    static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static List<Case> corpus() {
        String migrate = "/api/migrate-images";
        List<Case> c = new ArrayList<>();
        // The image API.
        c.add(new Case("truncated multipart", 400, r -> r.contentType("multipart/form-data; boundary=B")
                .body("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.png\"\r\n\r\n\u0089PNG".getBytes(StandardCharsets.ISO_8859_1))
                .post("/api/images")));
        c.add(new Case("multipart without a boundary", 0, r -> r.contentType("multipart/form-data").body("--x--".getBytes(StandardCharsets.US_ASCII)).post("/api/images")));
        c.add(new Case("0-byte image body", 415, r -> r.contentType("image/png").body(new byte[0])
                .queryParam("personaId", "gen-x").queryParam("prompt", "p").post("/api/images")));
        c.add(new Case("body over MAX_IMAGE_BYTES", 413, r -> r.contentType("image/png").body(new byte[25 * 1024 * 1024 + 1])
                .queryParam("personaId", "gen-x").queryParam("prompt", "p").post("/api/images")));
        c.add(new Case("text body", 415, r -> r.contentType("text/plain").body("hello").post("/api/images")));
        c.add(new Case("xml body", 415, r -> r.contentType("application/xml").body("<a/>").post("/api/images")));
        c.add(new Case("html declared as png", 415, r -> r.contentType("image/png").body("<html></html>".getBytes(StandardCharsets.US_ASCII))
                .queryParam("personaId", "gen-x").queryParam("prompt", "p").post("/api/images")));
        c.add(new Case("unicode persona id", 400, r -> r.contentType("image/png").body(PNG)
                .queryParam("personaId", "ペルソナ").queryParam("prompt", "p").post("/api/images")));
        c.add(new Case("traversal persona id", 400, r -> r.contentType("image/png").body(PNG).urlEncodingEnabled(false)
                .queryParam("personaId", "..%2F..%2Fetc").queryParam("prompt", "p").post("/api/images")));
        c.add(new Case("non-UTF-8 persona id", 400, r -> r.contentType("image/png").body(PNG).urlEncodingEnabled(false)
                .queryParam("personaId", "gen%FF%FE").queryParam("prompt", "p").post("/api/images")));
        c.add(new Case("NUL in persona id", 400, r -> r.contentType("image/png").body(PNG).urlEncodingEnabled(false)
                .queryParam("personaId", "gen%00x").queryParam("prompt", "p").post("/api/images")));
        c.add(new Case("traversal image id", 0, r -> r.urlEncodingEnabled(false).get("/api/images/..%2F..%2Fetc%2Fpasswd")));
        c.add(new Case("encoded NUL image id", 400, r -> r.urlEncodingEnabled(false).get("/api/images/abc%00")));
        c.add(new Case("negative limit", 400, r -> r.queryParam("limit", "-1").get("/api/images")));
        c.add(new Case("huge limit", 400, r -> r.queryParam("limit", "1e99").get("/api/images")));
        c.add(new Case("garbage cursor", 400, r -> r.urlEncodingEnabled(false).queryParam("cursor", "%25%25%25").get("/api/images")));
        c.add(new Case("PUT on an image", 405, r -> r.contentType("image/png").body(PNG).put("/api/images/abc")));
        c.add(new Case("delete without the admin key", 401, r -> r.delete("/api/images/abc")));
        // Generation and ingest.
        c.add(new Case("generate: empty JSON body", 400, r -> r.contentType("application/json").body("").post("/api/generate-image")));
        c.add(new Case("generate: deep JSON", 400, r -> r.contentType("application/json").body(nested(5000)).post("/api/generate-image")));
        c.add(new Case("generate: non-UTF-8 JSON", 400, r -> r.contentType("application/json")
                .body(latin1("{\"prompt\":\"caf\u00e9\u00ff\u00fe\",\"personaId\":\"\u00ff\"}")).post("/api/generate-image")));
        c.add(new Case("generate: prompt is an array", 400, r -> r.contentType("application/json")
                .body("{\"prompt\":[\"a\"],\"personaId\":\"gen-z\"}").post("/api/generate-image")));
        c.add(new Case("generate: negative size", 400, r -> r.contentType("application/json")
                .body("{\"prompt\":\"a\",\"personaId\":\"gen-z\",\"size\":\"-1x-1\"}").post("/api/generate-image")));
        c.add(new Case("generate: 1 MB prompt", 0, r -> r.contentType("application/json")
                .body("{\"prompt\":\"" + "x".repeat(1_000_000) + "\",\"personaId\":\"gen-z\"}").post("/api/generate-image")));
        c.add(new Case("generate: traversal persona", 400, r -> r.contentType("application/json")
                .body("{\"prompt\":\"a\",\"personaId\":\"../../x\"}").post("/api/generate-image")));
        c.add(new Case("generate: text/plain", 415, r -> r.contentType("text/plain").body("{}").post("/api/generate-image")));
        c.add(new Case("ingest: no url", 400, r -> r.contentType("application/json")
                .body("{\"personaId\":\"gen-x\",\"prompt\":\"p\"}").post("/api/images/ingest")));
        c.add(new Case("ingest: javascript url", 400, r -> r.contentType("application/json")
                .body("{\"url\":\"javascript:alert(1)\",\"personaId\":\"gen-x\",\"prompt\":\"p\"}").post("/api/images/ingest")));
        c.add(new Case("ingest: file url", 400, r -> r.contentType("application/json")
                .body("{\"url\":\"file:///etc/passwd\",\"personaId\":\"gen-x\",\"prompt\":\"p\"}").post("/api/images/ingest")));
        c.add(new Case("ingest: metadata address", 400, r -> r.contentType("application/json")
                .body("{\"url\":\"https://169.254.169.254/latest\",\"personaId\":\"gen-x\",\"prompt\":\"p\"}").post("/api/images/ingest")));
        c.add(new Case("ingest: array body", 400, r -> r.contentType("application/json").body("[]").post("/api/images/ingest")));
        // The migration API (with the admin key, so validation itself is what refuses).
        c.add(new Case("migrate: unknown action", 400, r -> admin(r).body("{\"action\":\"drop\"}").post(migrate)));
        c.add(new Case("migrate: batchSize 0", 400, r -> admin(r).body("{\"action\":\"migrate\",\"batchSize\":0}").post(migrate)));
        c.add(new Case("migrate: huge batchSize", 400, r -> admin(r).body("{\"action\":\"migrate\",\"batchSize\":1000000000000}").post(migrate)));
        c.add(new Case("migrate: negative concurrency", 400, r -> admin(r).body("{\"action\":\"migrate\",\"concurrency\":-5}").post(migrate)));
        c.add(new Case("migrate: deep JSON", 400, r -> admin(r).body(nested(5000)).post(migrate)));
        c.add(new Case("migrate: non-UTF-8", 400, r -> admin(r).contentType("application/json")
                .body(latin1("{\"action\":\"migr\u00e9\u00ff\"}")).post(migrate)));
        // Unicode ids are legal legacy ids now; a control character never is.
        c.add(new Case("migrate: control character in image ids", 400, r -> admin(r)
                .body("{\"action\":\"migrate\",\"imageIds\":[\"\u0444\\u0007\u043b\"]}").post(migrate)));
        c.add(new Case("migrate: duplicate keys", 400, r -> admin(r)
                .body("{\"action\":\"migrate\",\"action\":\"rollback\"}").post(migrate)));
        c.add(new Case("migrate: empty body", 400, r -> admin(r).body("").post(migrate)));
        c.add(new Case("migrate: a JSON string", 400, r -> admin(r).body("\"migrate\"").post(migrate)));
        c.add(new Case("migrate: dryRun as a string", 400, r -> admin(r).body("{\"action\":\"migrate\",\"dryRun\":\"true\"}").post(migrate)));
        c.add(new Case("migrate: backup to a chosen path", 400, r -> admin(r).body("{\"action\":\"backup\",\"path\":\"/tmp/x.db\"}").post(migrate)));
        c.add(new Case("migrate: wrong key", 401, r -> r.header("Authorization", "Bearer not-the-key-at-all").body("{\"action\":\"migrate\"}").post(migrate)));
        c.add(new Case("migrate: PUT", 405, r -> admin(r).body("{}").put(migrate)));
        c.add(new Case("job: unknown id", 404, r -> r.get(migrate + "/jobs/no-such-job")));
        c.add(new Case("job: traversal id", 0, r -> r.urlEncodingEnabled(false).get(migrate + "/jobs/..%2F..%2Fetc")));
        c.add(new Case("job events: unknown id", 404, r -> r.get(migrate + "/jobs/no-such-job/events")));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> everyHostileRequestIsAProblemAndChangesNothing() {
        List<Case> corpus = corpus();
        assertTrue(corpus.size() >= 40, "corpus has " + corpus.size() + " cases");
        return corpus.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            String before = state();
            Response response = c.call().apply(given());
            int status = response.statusCode();
            assertTrue(c.status() == 0 ? status >= 400 && status < 500 : status == c.status(),
                    c.name() + ": status " + status + " " + response.asString());
            assertEquals("application/problem+json", response.contentType(), c.name() + ": " + response.asString());
            assertNotNull(response.path("code"), c.name());
            assertEquals(status, (int) response.path("status"), c.name());
            assertEquals(before, state(), c.name() + " changed the database or the bucket");
        }));
    }

    @Test
    void theSameHostileRequestsInParallelAreAllRefused() throws Exception {
        String before = state();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String body = i % 2 == 0 ? "{\"action\":\"migrate\",\"batchSize\":0}" : "{\"action\":\"migrate\",\"dryRun\":1}";
                calls.add(() -> admin(given()).body(body).post("/api/migrate-images").statusCode());
            }
            for (Future<Integer> f : pool.invokeAll(calls)) {
                assertEquals(400, f.get());
            }
        } finally {
            pool.shutdown();
        }
        assertEquals(before, state());
    }

    /** Rows, jobs and objects, hashed: equal before and after means nothing changed. */
    static String state() {
        StringBuilder s = new StringBuilder(Db.imagesFingerprint());
        s.append(Db.rows("SELECT COUNT(*) AS n FROM migration_jobs"));
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            bucket.list("").forEach(o -> s.append(o.key()).append(o.eTag()).append(o.size()));
        }
        return Sha.sha256(s.toString().getBytes(StandardCharsets.UTF_8));
    }
}
