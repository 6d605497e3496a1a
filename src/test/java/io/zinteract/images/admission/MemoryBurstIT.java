package io.zinteract.images.admission;

import io.zinteract.images.support.Admin;
import io.zinteract.images.support.BigImages;
import io.zinteract.images.support.Db;
import io.zinteract.images.support.LegacyDatabase;
import io.zinteract.images.support.server.S3ProxyProcess;
import io.zinteract.images.support.server.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged jar in a 256 MiB heap with {@code -XX:+ExitOnOutOfMemoryError} (what the container image runs), a
 * real S3Proxy behind it, taking the bursts that used to kill it: 12 parallel raw uploads of 20 MiB, 200 parallel
 * uploads of 1 MiB, 500 parallel GETs of a 1 MiB base64 row, 120 first requests for variants at once, while
 * liveness and readiness are polled. The process must survive; every answer is a success or 503 {@code SERVER_BUSY}
 * (or {@code VARIANTS_BUSY})
 * with {@code Retry-After} and a problem+json body (nothing else, no broken connection); no upload falls back to
 * base64 (the store is up); every image answered 201 reads back byte-identical (SHA-256); every probe answers
 * within its time-out, liveness always UP.
 */
class MemoryBurstIT {

    static final String BUCKET = "burst-images";
    static final int BIG = 20 * 1024 * 1024;
    static final int SMALL = 1024 * 1024;
    /**
     * A probe's time-out here: generous, because the test shares two cores with other builds (a load average of 35 was
     * seen, where even an idle service answers in seconds); the slowest probe is printed with the other figures.
     */
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern STORAGE = Pattern.compile("\"storage\"\\s*:\\s*\"([^\"]+)\"");

    static S3ProxyProcess s3;
    static ServiceProcess service;
    static String base64Row = UUID.randomUUID().toString();
    static byte[] base64Image = BigImages.png(SMALL, 77);

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NORMAL).build();
    final Map<String, AtomicInteger> answers = new TreeMap<>();
    final ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        Path dir = Path.of("target", "memory-burst-it", UUID.randomUUID().toString().substring(0, 8)).toAbsolutePath();
        Path db = dir.resolve("images.db");
        LegacyDatabase.create(db);
        try (Connection c = Db.open("jdbc:sqlite:" + db); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO images (id, session_id, participant_id, table_id, persona_id, persona_title, image_data, "
                        + "image_mime_type, prompt, provider, status, created_at, updated_at) VALUES (?, 's-legacy', "
                        + "'p-1', 't-1', 'gen-x', 'Gen X', ?, 'image/png', 'a big legacy row', 'openai', 'completed', "
                        + "1718000100, 1718000100)")) {
            ps.setString(1, base64Row);
            ps.setString(2, Base64.getEncoder().encodeToString(base64Image));
            ps.executeUpdate();
        }
        s3 = new S3ProxyProcess(dir.resolve("s3")).start();
        s3.createBucket(BUCKET);
        service = ServiceProcess.start("burst", dir, Map.of("SQLITE_PATH", db.toString(),
                "ENABLE_R2_STORAGE", "true", "R2_ENDPOINT", s3.endpoint(), "R2_BUCKET", BUCKET,
                "R2_ACCESS_KEY_ID", S3ProxyProcess.IDENTITY, "R2_SECRET_ACCESS_KEY", S3ProxyProcess.CREDENTIAL,
                "ADMIN_API_KEY", Admin.KEY)).awaitReady(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void burstsAreAnsweredOrRefusedAndTheProcessSurvives() throws Exception {
        long started = System.nanoTime();
        Probes probes = new Probes();
        Thread poller = new Thread(probes, "probe-poller");
        poller.start();
        List<Upload> uploads = new ArrayList<>();
        try {
            List<byte[]> big = List.of(BigImages.png(BIG, 1), BigImages.png(BIG, 2), BigImages.png(BIG, 3));
            uploads.addAll(uploadAll(big, 12));
            List<byte[]> small = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                small.add(BigImages.png(SMALL, 100 + i));
            }
            uploads.addAll(uploadAll(small, 200));
            getAll(500);
            variantsAll(uploads);
        } finally {
            probes.stop.set(true);
            poller.join(10_000);
        }
        assertTrue(service.alive(), "the service process must survive the bursts:\n" + tail(service.log()));

        int compared = 0;
        long bytesCompared = 0;
        for (Upload u : uploads) {
            if (u.id == null) {
                continue;
            }
            HttpResponse<byte[]> back = http.send(HttpRequest.newBuilder(URI.create(service.url("/api/images/" + u.id)))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, back.statusCode(), "image " + u.id + " reads back");
            assertEquals(sha(u.body), sha(back.body()), "image " + u.id + " reads back byte-identical");
            compared++;
            bytesCompared += back.body().length;
        }
        long seconds = (System.nanoTime() - started) / 1_000_000_000;
        System.out.printf("MemoryBurstIT: answers %s; images compared %d (%d bytes); probes %d live / %d ready, slowest "
                + "%d ms; %d s%n", answers, compared, bytesCompared, probes.live.get(), probes.ready.get(),
                probes.slowest, seconds);
        assertTrue(wrong.isEmpty(), "answers other than 2xx or 503 SERVER_BUSY with Retry-After: " + wrong);
        assertTrue(probes.failures.isEmpty(), "probes that failed or timed out: " + probes.failures);
        assertTrue(probes.live.get() > 0 && probes.ready.get() > 0, "the probes were polled");
        assertTrue(compared > 0, "some uploads must have been accepted: " + answers);
        assertTrue(service.alive(), "the service process is still alive:\n" + tail(service.log()));
    }

    record Upload(byte[] body, String id) {
    }

    private List<Upload> uploadAll(List<byte[]> bodies, int count) {
        List<CompletableFuture<Upload>> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] body = bodies.get(i % bodies.size());
            HttpRequest request = HttpRequest.newBuilder(URI.create(service.url(
                    "/api/images?personaId=gen-z&prompt=burst+" + i))).timeout(Duration.ofSeconds(60))
                    .header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((r, failure) -> {
                String what = "upload of " + body.length;
                if (failure != null) {
                    count(what + ": " + failure.getClass().getSimpleName());
                    wrong.add(what + ": " + failure);
                    return new Upload(body, null);
                }
                check(what, r);
                if (r.statusCode() != 201) {
                    return new Upload(body, null);
                }
                Matcher storage = STORAGE.matcher(r.body());
                if (!storage.find() || !storage.group(1).equals("r2")) {
                    wrong.add(what + ": stored as " + r.body() + " although the store is up");
                }
                Matcher id = ID.matcher(r.body());
                return new Upload(body, id.find() ? id.group(1) : null);
            }));
        }
        return all.stream().map(CompletableFuture::join).toList();
    }

    private void getAll(int count) {
        String expected = sha(base64Image);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(service.url("/api/images/" + base64Row)))
                    .timeout(Duration.ofSeconds(60)).build();
            all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((r, failure) -> {
                if (failure != null) {
                    count("base64 GET: " + failure.getClass().getSimpleName());
                    wrong.add("base64 GET: " + failure);
                    return null;
                }
                check("base64 GET", r);
                if (r.statusCode() == 200 && !sha(r.body()).equals(expected)) {
                    wrong.add("base64 GET: different bytes (" + r.body().length + ")");
                }
                return null;
            }));
        }
        all.forEach(CompletableFuture::join);
    }

    /**
     * First requests for JPEG variants (the eager ones are WebP) of up to 40 accepted images, three presets each, all at
     * once: each makes a variant from the original in the bucket (download, decode, render), which must fit the budget.
     */
    private void variantsAll(List<Upload> uploads) {
        List<String> ids = uploads.stream().map(Upload::id).filter(java.util.Objects::nonNull).distinct().limit(40)
                .toList();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (String id : ids) {
            for (String preset : List.of("thumb", "small", "medium")) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(service.url("/api/images/" + id + "?variant="
                        + preset + "&format=jpeg"))).timeout(Duration.ofSeconds(60)).build();
                all.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).handle((r, failure) -> {
                    if (failure != null) {
                        count("variant GET: " + failure.getClass().getSimpleName());
                        wrong.add("variant GET: " + failure);
                        return null;
                    }
                    check("variant GET", r);
                    byte[] body = r.body();
                    if (r.statusCode() == 200 && (body.length < 3 || (body[0] & 0xFF) != 0xFF || (body[1] & 0xFF) != 0xD8)) {
                        wrong.add("variant GET: 200 but not a JPEG (" + body.length + " bytes)");
                    }
                    return null;
                }));
            }
        }
        all.forEach(CompletableFuture::join);
    }

    private void check(String what, HttpResponse<?> r) {
        int status = r.statusCode();
        count(what + " " + status);
        if (status == 503) {
            String type = r.headers().firstValue("Content-Type").orElse("");
            Object body = r.body();
            String text = body instanceof byte[] b ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : String.valueOf(body);
            if (r.headers().firstValue("Retry-After").isEmpty() || !type.startsWith("application/problem+json")
                    || !(text.contains("\"SERVER_BUSY\"") || text.contains("\"VARIANTS_BUSY\""))) {
                wrong.add(what + ": 503 without Retry-After or SERVER_BUSY problem: " + type + " " + text);
            }
        } else if (status >= 300) {
            Object body = r.body();
            wrong.add(what + ": " + status + " " + (body instanceof String s ? s : ""));
        }
    }

    private synchronized void count(String key) {
        answers.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    /** Liveness must answer UP, readiness must answer (UP or DOWN), each within the probe time-out. */
    final class Probes implements Runnable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger live = new AtomicInteger();
        final AtomicInteger ready = new AtomicInteger();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        volatile long slowest;
        final HttpClient probeClient = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1).build();

        @Override
        public void run() {
            while (!stop.get()) {
                probe("/q/health/live", true, live);
                probe("/q/health/ready", false, ready);
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void probe(String path, boolean mustBeUp, AtomicInteger counter) {
            long start = System.nanoTime();
            try {
                int status = probeClient.send(HttpRequest.newBuilder(URI.create(service.url(path)))
                        .timeout(PROBE_TIMEOUT).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                if (mustBeUp ? status != 200 : status != 200 && status != 503) {
                    failures.add(path + " answered " + status);
                }
                counter.incrementAndGet();
            } catch (Exception e) {
                failures.add(path + ": " + e);
            }
            slowest = Math.max(slowest, (System.nanoTime() - start) / 1_000_000);
        }
    }

    static String sha(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String tail(String log) {
        return log.length() > 6000 ? log.substring(log.length() - 6000) : log;
    }
}
