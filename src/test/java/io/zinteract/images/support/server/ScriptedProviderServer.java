package io.zinteract.images.support.server;

import io.zinteract.images.support.HostileImages;
import io.zinteract.images.support.TestImages;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on 127.0.0.2 playing an OpenAI-compatible images API and the hosts its URLs point to, with
 * scripted answers: URL or b64_json results, failures before success, outages, and the hostile URLs an attacker
 * would hand the service (redirects to loopback, private addresses, non-images, oversized bodies).
 */
public class ScriptedProviderServer implements QuarkusTestResourceLifecycleManager {

    public static final String HOST = "127.0.0.2";
    public static final byte[] IMAGE = TestImages.png(64, 64, 2024);
    public static final long MAX_IMAGE_BYTES = 200_000;

    private static volatile HttpServer server;
    private static volatile String nextResult = "url:/img/ok.png";
    private static final AtomicInteger failuresLeft = new AtomicInteger();
    private static volatile boolean down;
    private static final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private static volatile String lastAuthorization;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(HOST, 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", ScriptedProviderServer::handle);
        server.start();
        return Map.of(
                "generation.provider", "openai",
                "generation.url", base(),
                "generation.api-key", "sk-test-secret",
                "ingest.allow-http", "true",
                // The address rules are the last line of defence: these hosts pass the allowlist so that the
                // address checks behind it are what refuses them.
                "ingest.allowed-hosts", HOST + ",localhost,10.20.30.40,169.254.169.254,169.254.10.1,[::ffff:127.0.0.1],::ffff:127.0.0.1",
                "ingest.allowed-networks", HOST + "/32",
                "images.max-image-bytes", Long.toString(MAX_IMAGE_BYTES));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    public static String base() {
        return "http://" + HOST + ":" + server.getAddress().getPort();
    }

    /** What the next generation call answers: {@code url:<path or absolute URL>} or {@code b64}. */
    public static void script(String result, int failuresBeforeSuccess, boolean providerDown) {
        nextResult = result;
        failuresLeft.set(failuresBeforeSuccess);
        down = providerDown;
        hits.clear();
    }

    public static int hits(String path) {
        return hits.getOrDefault(path, new AtomicInteger()).get();
    }

    public static String lastAuthorization() {
        return lastAuthorization;
    }

    private static void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        exchange.getRequestBody().readAllBytes();
        switch (path) {
            case "/v1/images/generations" -> generations(exchange);
            case "/img/ok.png" -> send(exchange, 200, "image/png", IMAGE);
            case "/img/html" -> send(exchange, 200, "text/html", "<html>not an image</html>".getBytes(StandardCharsets.UTF_8));
            case "/img/redirect-loopback" -> redirect(exchange, "http://localhost:" + server.getAddress().getPort() + "/img/ok.png");
            case "/img/redirect-ok" -> redirect(exchange, "/img/ok.png");
            case "/img/redirect-loop" -> redirect(exchange, "/img/redirect-loop");
            case "/img/huge-declared" -> {
                exchange.getResponseHeaders().add("Content-Type", "image/png");
                exchange.sendResponseHeaders(200, MAX_IMAGE_BYTES + 1);
                exchange.close();
            }
            case "/img/huge-streamed" -> {
                exchange.getResponseHeaders().add("Content-Type", "image/png");
                exchange.sendResponseHeaders(200, 0);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(IMAGE);
                    byte[] filler = new byte[16 * 1024];
                    for (long sent = IMAGE.length; sent <= MAX_IMAGE_BYTES * 4; sent += filler.length) {
                        out.write(filler);
                    }
                } catch (IOException clientGaveUp) {
                    // the service resets the stream once over its limit: what is expected
                }
            }
            default -> {
                if (path.startsWith("/img/hostile/")) {
                    HostileImages.Case c = HostileImages.quoted().values().stream()
                            .skip(Integer.parseInt(path.substring("/img/hostile/".length()))).findFirst().orElseThrow();
                    send(exchange, 200, c.mimeType(), c.bytes());
                } else {
                    send(exchange, 404, "text/plain", "no".getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }

    private static void generations(HttpExchange exchange) throws IOException {
        lastAuthorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (down || failuresLeft.getAndDecrement() > 0) {
            send(exchange, 500, "application/json", "{\"error\":{\"message\":\"overloaded\"}}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        String body;
        if (nextResult.equals("b64")) {
            body = "{\"created\":1,\"data\":[{\"b64_json\":\"" + Base64.getEncoder().encodeToString(IMAGE) + "\"}]}";
        } else if (nextResult.equals("refuse")) {
            send(exchange, 400, "application/json",
                    "{\"error\":{\"message\":\"Your request was rejected by the safety system\"}}".getBytes(StandardCharsets.UTF_8));
            return;
        } else {
            String target = nextResult.substring("url:".length());
            String url = target.startsWith("/") ? base() + target : target;
            body = "{\"created\":1,\"data\":[{\"url\":\"" + url + "\",\"revised_prompt\":\"x\"}]}";
        }
        send(exchange, 200, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void redirect(HttpExchange exchange, String location) throws IOException {
        exchange.getResponseHeaders().add("Location", location);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
