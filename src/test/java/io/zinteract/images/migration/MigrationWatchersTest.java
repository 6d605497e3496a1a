package io.zinteract.images.migration;

import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.MigrationProfile;
import io.zinteract.images.support.profile.S3ProxyResource;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.restassured.RestAssured.given;
import static io.zinteract.images.migration.MigrationApi.PATH;
import static io.zinteract.images.migration.MigrationApi.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Many clients following a job's events while images are uploaded (issue 9, point 3): the watchers share one
 * publisher per job instead of polling the database each, so uploads and the job are never starved; the number of
 * watchers is capped; heartbeats keep idle streams open; every admitted stream ends after the job's final event.
 */
@QuarkusTest
@TestProfile(MigrationProfile.class)
class MigrationWatchersTest {

    static final int WATCHERS = MigrationProfile.MAX_WATCHERS;
    static final int OVER_CAP = 20;
    static final int ROWS = 60;
    static final int UPLOADS = 40;
    static final Duration HEARTBEAT = MigrationProfile.EVENTS_HEARTBEAT;
    static final long SILENCE_SLACK_MILLIS = 10_000;
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    AgroalDataSource db;
    @TestHTTPResource("/")
    URL base;

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeEach
    void seed() throws Exception {
        if (!S3ProxyResource.current().running()) {
            S3ProxyResource.current().start();
        }
        LegacyRows.clear(db);
        MigrationApi.emptyBucket();
    }

    @Test
    void threeHundredWatchersStarveNeitherUploadsNorTheJob() throws Exception {
        LegacyRows rows = new LegacyRows(db).png(ROWS, "image/png");
        String ids = rows.valid.keySet().stream().map(id -> "\"" + id + "\"").collect(Collectors.joining(", "));
        // One image per batch and one at a time: the job runs for a while, and it is paused while the watchers come.
        Response started = post("{\"action\": \"migrate\", \"batchSize\": 1, \"concurrency\": 1, \"imageIds\": [" + ids + "]}");
        assertEquals(202, started.statusCode(), () -> started.path("code"));
        String id = started.path("jobId");
        Response paused = post("{\"action\": \"pause\", \"jobId\": \"" + id + "\"}");
        assertEquals(200, paused.statusCode(), () -> paused.path("code"));
        assertEquals("paused", paused.path("state"));

        List<Watcher> watchers = new ArrayList<>();
        for (int i = 0; i < WATCHERS; i++) {
            watchers.add(new Watcher(id));
        }
        for (Watcher w : watchers) {
            assertEquals(200, w.status.get(60, TimeUnit.SECONDS), "every watcher up to the cap is admitted");
        }
        awaitAll(watchers, w -> w.dataLines() >= 1, "each watcher's first event");

        // Over the cap: a problem, before any stream starts.
        for (int i = 0; i < OVER_CAP; i++) {
            HttpResponse<String> refused = http.send(request(id), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, refused.statusCode(), refused.body());
            assertEquals("application/problem+json", refused.headers().firstValue("Content-Type").orElse(""));
            assertTrue(refused.body().contains("\"code\":\"TOO_MANY_WATCHERS\""), refused.body());
            assertTrue(refused.headers().firstValue("Retry-After").isPresent(), "Retry-After on the 503");
        }

        // Idle streams (the job is paused) carry heartbeats.
        MigrationApi.sleep(HEARTBEAT.toMillis() * 3);
        for (Watcher w : watchers) {
            assertTrue(w.comments() >= 2, "heartbeats while the job is paused: " + w.comments());
        }

        // A watcher that leaves frees its place.
        List<Watcher> leaving = watchers.subList(0, 5);
        leaving.forEach(Watcher::leave);
        List<Watcher> all = new ArrayList<>(watchers.subList(5, watchers.size()));
        for (int i = 0; i < 5; i++) {
            all.add(admitted(id));
        }

        // Uploads while the job runs and every watcher follows it.
        ExecutorService uploaders = Executors.newFixedThreadPool(8);
        List<Future<Response>> uploads = new ArrayList<>();
        Response resumed = post("{\"action\": \"resume\", \"jobId\": \"" + id + "\"}");
        assertEquals(202, resumed.statusCode(), () -> resumed.path("state"));
        for (int i = 0; i < UPLOADS; i++) {
            byte[] jpeg = TestImages.jpeg(20 + i % 7, 16, 5000 + i);
            uploads.add(uploaders.submit(() -> given().multiPart("file", "u.jpg", jpeg, "image/jpeg")
                    .multiPart("personaId", "gen-z").multiPart("personaTitle", "Gen Z").multiPart("prompt", "load")
                    .when().post("/api/images").then().extract().response()));
        }
        List<String> uploaded = new ArrayList<>();
        for (Future<Response> f : uploads) {
            Response r = f.get(120, TimeUnit.SECONDS);
            assertEquals(201, r.statusCode(), "upload during the job: " + r.asString());
            uploaded.add(r.path("id"));
        }
        uploaders.shutdown();
        assertEquals(UPLOADS, LegacyRows.count(db, "SELECT COUNT(*) FROM images WHERE id IN ("
                + uploaded.stream().map(u -> "'" + u + "'").collect(Collectors.joining(",")) + ")"));

        for (Watcher w : all) {
            w.done.get(120, TimeUnit.SECONDS);
        }
        JsonPath job = MigrationApi.job(id);
        assertEquals("completed", job.getString("state"), () -> job.getString("error"));
        assertEquals(ROWS, job.getLong("total"));
        assertEquals(ROWS, job.getLong("processed"));
        assertEquals(ROWS, job.getLong("migrated"));
        assertEquals(0, job.getLong("failed"));
        assertEquals(ROWS, LegacyRows.count(db, "SELECT COUNT(*) FROM images WHERE r2_key IS NOT NULL AND image_data IS NULL"));

        for (Watcher w : all) {
            List<JsonNode> events = w.events();
            JsonNode last = events.get(events.size() - 1);
            assertEquals("completed", last.path("state").asText(), "the final event");
            assertEquals(ROWS, last.path("migrated").asLong());
            assertEquals(1, events.stream().filter(e -> e.path("state").asText().equals("completed")).count(),
                    "one final event, then the stream ends");
            assertTrue(events.size() >= 2 && events.stream().anyMatch(e -> e.path("state").asText().equals("running")),
                    "progress before the end: " + events.size() + " events");
            for (int i = 1; i < events.size(); i++) {
                assertTrue(events.get(i).path("processed").asLong() >= events.get(i - 1).path("processed").asLong());
            }
            // A liveness bound, not a timing target: this machine is shared, and a stream is never silent for long.
            assertTrue(w.maxGapMillis() <= HEARTBEAT.toMillis() + SILENCE_SLACK_MILLIS,
                    "longest silence " + w.maxGapMillis() + " ms");
        }
        System.out.printf("watchers: %d admitted, %d refused; per stream: %d-%d events, %d-%d heartbeats, longest "
                + "silence %d ms (heartbeat %d ms)%n", all.size() + leaving.size(), OVER_CAP,
                all.stream().mapToLong(Watcher::dataLines).min().orElse(0),
                all.stream().mapToLong(Watcher::dataLines).max().orElse(0),
                all.stream().mapToLong(Watcher::comments).min().orElse(0),
                all.stream().mapToLong(Watcher::comments).max().orElse(0),
                all.stream().mapToLong(Watcher::maxGapMillis).max().orElse(0), HEARTBEAT.toMillis());

        // A finished job: one event, and the stream ends.
        HttpResponse<String> finished = http.send(request(id), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, finished.statusCode());
        List<String> data = finished.body().lines().filter(l -> l.startsWith("data:")).toList();
        assertEquals(1, data.size(), finished.body());
        assertEquals("completed", new JsonPath(data.get(0).substring(5)).getString("state"));
    }

    /** Opens watchers until one is admitted: places freed by leaving watchers are released asynchronously. */
    private Watcher admitted(String id) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Watcher w = new Watcher(id);
            if (w.status.get(30, TimeUnit.SECONDS) == 200) {
                return w;
            }
            MigrationApi.sleep(50);
        }
        fail("no place was freed by the watchers that left");
        return null;
    }

    private HttpRequest request(String id) {
        return HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + PATH + "/jobs/" + id + "/events"))
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(180)).GET().build();
    }

    private static void awaitAll(List<Watcher> watchers, java.util.function.Predicate<Watcher> condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (watchers.stream().allMatch(condition)) {
                return;
            }
            MigrationApi.sleep(50);
        }
        fail(what + " did not arrive for " + watchers.stream().filter(condition.negate()).count() + " watchers");
    }

    /** One SSE client: every line with the time it arrived; no thread of its own. */
    final class Watcher implements Flow.Subscriber<String> {
        record Line(long nanos, String text) {
        }

        final CompletableFuture<Integer> status = new CompletableFuture<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final ConcurrentLinkedQueue<Line> lines = new ConcurrentLinkedQueue<>();
        volatile Flow.Subscription subscription;

        Watcher(String id) {
            http.sendAsync(request(id), info -> {
                status.complete(info.statusCode());
                return HttpResponse.BodySubscribers.fromLineSubscriber(this);
            }).whenComplete((r, e) -> {
                status.completeExceptionally(e == null ? new IllegalStateException("no status") : e);
                if (e != null) {
                    done.completeExceptionally(e);
                }
            });
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            lines.add(new Line(System.nanoTime(), line));
        }

        @Override
        public void onError(Throwable e) {
            done.completeExceptionally(e);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }

        void leave() {
            assertNotNull(subscription);
            subscription.cancel();
        }

        /** The data events, parsed (Jackson: JsonPath is far too slow for thousands of documents). */
        List<JsonNode> events() {
            return lines.stream().filter(l -> l.text().startsWith("data:")).map(l -> {
                try {
                    return JSON.readTree(l.text().substring(5));
                } catch (java.io.IOException e) {
                    throw new AssertionError("not JSON: " + l.text(), e);
                }
            }).toList();
        }

        long dataLines() {
            return lines.stream().filter(l -> l.text().startsWith("data:")).count();
        }

        long comments() {
            return lines.stream().filter(l -> l.text().startsWith(":")).count();
        }

        long maxGapMillis() {
            long max = 0;
            Long previous = null;
            for (Line l : lines) {
                if (l.text().isEmpty()) {
                    continue;
                }
                if (previous != null) {
                    max = Math.max(max, (l.nanos() - previous) / 1_000_000);
                }
                previous = l.nanos();
            }
            return max;
        }
    }
}
