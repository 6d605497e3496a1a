package io.zinteract.images.ratelimit;

import io.zinteract.images.migration.ReplicaCluster;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.server.ServiceProcess;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two packaged replicas on one PostgreSQL database share one budget: requests from one client, sent at once and spread
 * over both replicas, get exactly the configured capacity through in total; and the ceiling on provider calls holds
 * for both together. Capacities are per hour, so nothing refills while the test runs.
 */
class RateLimitReplicasIT {

    static final int UPLOADS = 5;
    static final int PROVIDER_CALLS = 3;
    static final int REQUESTS = 16;

    @Test
    void replicasOnOnePostgresShareOneBudget() throws Exception {
        try (ReplicaCluster cluster = ReplicaCluster.start("ratelimit", Map.of("RATE_LIMIT_ENABLED", "true",
                "RATE_LIMIT_UPLOADS", UPLOADS + "/PT1H", "RATE_LIMIT_GENERATE", "off",
                "RATE_LIMIT_PROVIDER_CALLS", PROVIDER_CALLS + "/PT1H"), "replica-a", "replica-b")) {
            List<ServiceProcess> replicas = List.of(cluster.replica("replica-a"), cluster.replica("replica-b"));
            DataSource db = cluster.dataSource();
            byte[] png = TestImages.png(20, 20, 5);

            Map<Integer, Integer> uploads = burst(replicas, i -> HttpRequest.newBuilder(URI.create(
                    replicas.get(i % 2).url("/api/images?personaId=rl-replicas&prompt=p")))
                    .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(png)).build());
            assertEquals(Map.of(201, UPLOADS, 429, REQUESTS - UPLOADS), uploads);
            assertEquals(UPLOADS, count(db, "SELECT COUNT(*) FROM images WHERE persona_id = 'rl-replicas'"));

            Map<Integer, Integer> generations = burst(replicas, i -> HttpRequest.newBuilder(URI.create(
                    replicas.get(i % 2).url("/api/generate-image"))).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"prompt\":\"a lighthouse\",\"personaId\":\"rl-gen\",\"size\":\"256x256\"}")).build());
            assertEquals(Map.of(201, PROVIDER_CALLS, 503, REQUESTS - PROVIDER_CALLS), generations);
            assertEquals(PROVIDER_CALLS, count(db, "SELECT COUNT(*) FROM images WHERE persona_id = 'rl-gen'"));

            // The budget lives in the table, and outlives any replica: each row says when it may be swept.
            assertEquals(2, count(db, "SELECT COUNT(*) FROM rate_limit_buckets WHERE expires_at > "
                    + System.currentTimeMillis()));
            double refused = ReplicaCluster.metric(replicas.get(0), "rate_limit_refused_total")
                    + ReplicaCluster.metric(replicas.get(1), "rate_limit_refused_total");
            assertEquals(2 * REQUESTS - UPLOADS - PROVIDER_CALLS, refused, 0.0);
        }
    }

    /** Sends REQUESTS requests at once (replica by index) and counts the answers by status. */
    static Map<Integer, Integer> burst(List<ServiceProcess> replicas, java.util.function.IntFunction<HttpRequest> request) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            sent.add(http.sendAsync(request.apply(i), HttpResponse.BodyHandlers.ofString()));
        }
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            HttpResponse<String> r = f.join();
            statuses.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() == 429 || r.statusCode() == 503) {
                assertTrue(r.headers().firstValue("Retry-After").isPresent(), r.body());
                assertTrue(r.body().contains("\"code\":\"RATE_LIMITED\"") || r.body().contains("\"code\":\"PROVIDER_BUSY\""),
                        r.body());
            }
        }
        return statuses;
    }

    static long count(DataSource db, String sql) throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
