import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;

/**
 * The workload of the AOT/AppCDS training run (scripts/aot-train.sh): waits for the first ready probe, then sends what
 * production sends (uploads, redirects and proxied reads, variants, lists, metadata, placeholder generation, probes,
 * metrics, a migration status, one admin delete, a 404), several rounds, so the archive holds the classes and the
 * profiles of the start and of the requests. Exits non-zero when an answer is not the expected one, so a training run
 * against a broken build fails instead of archiving its error paths.
 *
 * <p>Usage: {@code java scripts/AotTraining.java <service URL> <management URL> <admin key> [rounds]}; JDK 11+, no
 * dependencies. Probes and metrics are sought on the management URL first (a {@code -Pcontainer} build serves them on
 * MANAGEMENT_PORT), else on the service URL.
 */
public class AotTraining {

    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final String base;
    private final String management;
    private final String adminKey;
    private String probes;

    AotTraining(String base, String management, String adminKey) {
        this.base = base;
        this.management = management;
        this.adminKey = adminKey;
    }

    public static void main(String[] args) throws Exception {
        AotTraining training = new AotTraining(args[0], args[1], args[2]);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        long start = System.nanoTime();
        training.awaitReady(Duration.ofSeconds(180));
        System.out.printf("aot-train: ready after %d ms%n", (System.nanoTime() - start) / 1_000_000);
        byte[] png = png(800, 600);
        for (int round = 0; round < rounds; round++) {
            training.round(png, round);
        }
        System.out.printf("aot-train: %d rounds done in %d ms%n", rounds, (System.nanoTime() - start) / 1_000_000);
    }

    private void round(byte[] png, int round) throws Exception {
        expect(probe("/q/health/ready"), 200);
        expect(probe("/q/health/live"), 200);
        expect(probe("/q/health"), 200);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> created = send(HttpRequest.newBuilder(uri("/api/images?personaId=training&prompt=round+"
                    + round)).header("Content-Type", "image/png").POST(HttpRequest.BodyPublishers.ofByteArray(png)), 201);
            ids.add(id(created.body()));
        }
        HttpResponse<String> generated = send(HttpRequest.newBuilder(uri("/api/generate-image"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"a lighthouse\",\"personaId\":\"training\"}")), 201);
        ids.add(id(generated.body()));
        for (String id : ids) {
            expectOneOf(get("/api/images/" + id), 200, 302);
            expect(get("/api/images/" + id + "/meta"), 200);
            expectOneOf(get("/api/images/" + id + "?variant=small&format=auto"), 200, 302);
            expectOneOf(get("/api/images/" + id + "?variant=thumb"), 200, 302);
        }
        expect(get("/api/images?personaId=training&limit=10"), 200);
        expect(get("/api/images"), 200);
        expect(get("/api/images/not-an-image-id"), 404);
        expect(get("/api/images/" + ids.get(0) + "?variant=480"), 400);
        expect(send(HttpRequest.newBuilder(uri("/api/migrate-images")).header("Authorization", "Bearer " + adminKey).GET(),
                200), 200);
        expect(send(HttpRequest.newBuilder(uri("/api/images/" + ids.get(1))).header("Authorization", "Bearer " + adminKey)
                .DELETE(), 204), 204);
        expect(probe("/q/metrics"), 200);
        if (round == 0) {
            expect(get("/q/openapi"), 200);
        }
    }

    private void awaitReady(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            for (String candidate : new String[] { management, base }) {
                try {
                    if (send(candidate + "/q/health/ready").statusCode() == 200) {
                        probes = candidate;
                        return;
                    }
                } catch (java.io.IOException e) {
                    // not listening (yet)
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the service was not ready within " + limit);
    }

    private HttpResponse<String> get(String path) throws java.io.IOException, InterruptedException {
        return send(base + path);
    }

    private HttpResponse<String> probe(String path) throws java.io.IOException, InterruptedException {
        return send(probes + path);
    }

    private HttpResponse<String> send(String url) throws java.io.IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(HttpRequest.Builder request, int expected) throws Exception {
        HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        return expect(response, expected);
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private static HttpResponse<String> expect(HttpResponse<String> response, int status) {
        return expectOneOf(response, status, status);
    }

    private static HttpResponse<String> expectOneOf(HttpResponse<String> response, int one, int other) {
        if (response.statusCode() != one && response.statusCode() != other) {
            String body = response.body();
            throw new IllegalStateException(response.request().method() + " " + response.uri() + " answered "
                    + response.statusCode() + ": " + (body.length() > 300 ? body.substring(0, 300) : body));
        }
        return response;
    }

    private static String id(String json) {
        Matcher m = ID.matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no id in " + json);
        }
        return m.group(1);
    }

    /** A gradient with shapes: real work for the decoder, the resizer and the encoders, unlike a flat colour. */
    private static byte[] png(int width, int height) throws java.io.IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(30, 60, 160), width, height, new Color(240, 200, 40)));
        g.fillRect(0, 0, width, height);
        g.setColor(new Color(200, 30, 60));
        for (int i = 0; i < 12; i++) {
            g.fillOval(i * width / 12, (i * 37) % height, width / 10, height / 8);
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
