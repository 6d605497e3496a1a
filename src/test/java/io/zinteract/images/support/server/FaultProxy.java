package io.zinteract.images.support.server;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy on loopback between the service and the S3 server that misbehaves on demand: added latency,
 * connection resets, 503 or 429 answers on a fraction of requests, or everything cut. Requests that pass are
 * forwarded untouched (the Host header included, so SigV4 signatures stay valid).
 */
public final class FaultProxy implements AutoCloseable {

    private static final String SLOW_DOWN = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
            + "<Message>Please reduce your request rate.</Message></Error>";

    private final Vertx vertx = Vertx.vertx();
    private final HttpClient client;
    private final int targetPort;
    private HttpServer server;

    private volatile double fail503;
    private volatile double fail429;
    private volatile double reset;
    private volatile long latencyMillis;
    private volatile boolean cut;
    private final AtomicInteger forwarded = new AtomicInteger();
    private final AtomicInteger injected = new AtomicInteger();
    private final Map<String, AtomicInteger> puts = new ConcurrentHashMap<>();

    public FaultProxy(int targetPort) {
        this.targetPort = targetPort;
        this.client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(64).setKeepAlive(true));
    }

    public FaultProxy start() {
        try {
            server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("fault proxy did not start", e);
        }
        return this;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** Answers 503 SlowDown to this fraction of requests (0 to 1). */
    public FaultProxy fail503(double fraction) {
        this.fail503 = fraction;
        return this;
    }

    public FaultProxy fail429(double fraction) {
        this.fail429 = fraction;
        return this;
    }

    /** Closes the connection without an answer for this fraction of requests. */
    public FaultProxy reset(double fraction) {
        this.reset = fraction;
        return this;
    }

    public FaultProxy latency(long millis) {
        this.latencyMillis = millis;
        return this;
    }

    /** Every request is dropped (connection closed) until {@link #restore()}. */
    public FaultProxy cut() {
        this.cut = true;
        return this;
    }

    /** Back to forwarding everything as it is. */
    public FaultProxy restore() {
        cut = false;
        fail503 = 0;
        fail429 = 0;
        reset = 0;
        latencyMillis = 0;
        return this;
    }

    public int forwarded() {
        return forwarded.get();
    }

    public int injected() {
        return injected.get();
    }

    /**
     * PUT requests passed on to the S3 server, per object key (the path after the bucket): how often each object was
     * uploaded through this proxy, whatever the service says it did.
     */
    public Map<String, Integer> forwardedPuts() {
        Map<String, Integer> counts = new TreeMap<>();
        puts.forEach((key, n) -> counts.put(key, n.get()));
        return counts;
    }

    private void handle(HttpServerRequest request) {
        request.pause();
        if (latencyMillis > 0) {
            vertx.setTimer(latencyMillis, t -> decide(request));
        } else {
            decide(request);
        }
    }

    private void decide(HttpServerRequest request) {
        double roll = ThreadLocalRandom.current().nextDouble();
        if (cut || roll < reset) {
            injected.incrementAndGet();
            request.connection().close();
            return;
        }
        if (roll < reset + fail503 || roll < reset + fail503 + fail429) {
            injected.incrementAndGet();
            int status = roll < reset + fail503 ? 503 : 429;
            request.resume();
            request.end().onComplete(done -> request.response().setStatusCode(status)
                    .putHeader("Content-Type", "application/xml").end(SLOW_DOWN));
            return;
        }
        forward(request);
    }

    private void forward(HttpServerRequest request) {
        if (request.method() == HttpMethod.PUT) {
            // Path-style: /bucket/key. Multipart parts carry a query and are counted under the same key.
            String path = request.path();
            int slash = path.indexOf('/', 1);
            String key = slash < 0 ? path : URLDecoder.decode(path.substring(slash + 1), StandardCharsets.UTF_8);
            puts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }
        String host = request.getHeader("Host");
        String hostName = host == null ? "127.0.0.1" : host.replaceAll(":\\d+$", "");
        int hostPort = host != null && host.matches(".*:\\d+$") ? Integer.parseInt(host.replaceAll("^.*:", "")) : 80;
        RequestOptions options = new RequestOptions().setMethod(request.method()).setURI(request.uri())
                .setServer(SocketAddress.inetSocketAddress(targetPort, "127.0.0.1")).setHost(hostName).setPort(hostPort);
        request.headers().forEach(h -> {
            if (!h.getKey().equalsIgnoreCase("Host")) {
                options.addHeader(h.getKey(), h.getValue());
            }
        });
        client.request(options).onSuccess(upstream -> {
            upstream.response().onSuccess(answer -> {
                request.response().setStatusCode(answer.statusCode());
                answer.headers().forEach(h -> request.response().headers().add(h.getKey(), h.getValue()));
                answer.pipeTo(request.response());
                forwarded.incrementAndGet();
            }).onFailure(e -> request.connection().close());
            request.pipeTo(upstream);
        }).onFailure(e -> {
            request.resume();
            request.response().setStatusCode(502).end();
        });
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }
}
