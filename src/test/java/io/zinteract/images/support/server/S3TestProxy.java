package io.zinteract.images.support.server;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The one HTTP/1.1 proxy tests put on loopback between the service and an S3 server (S3Proxy, s3rver). It records
 * every request the service sends (line, headers, and with {@link Builder#recordBodies()} small bodies), and it
 * misbehaves on demand: added latency, connection resets, 503 SlowDown or 429 answers on a fraction of requests,
 * everything cut, or any answer per request (and so per operation) through a {@link #rule(Function)}. Requests that
 * pass are forwarded byte for byte, the Host header included, so SigV4 signatures stay valid.
 *
 * <p>With {@link Builder#sseCKey(String)} it plays R2's side of SSE-C, which no local S3 server implements: see
 * {@link SseCRules}. The SSE-C headers are then stripped before forwarding (S3Proxy answers 501 to them), so S3Proxy
 * must run without signature checks. Without a key, any SSE-C header is a violation.
 */
public final class S3TestProxy implements AutoCloseable {

    private static final long DICE_SEED = 20261206L;

    /** One request as the service sent it. Header names are lower case; the body only when recorded and small. */
    public record Request(String method, String target, String path, Map<String, String> query, String operation,
            Map<String, List<String>> headers, byte[] body) {

        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : String.join(",", values);
        }

        Request withBody(byte[] bytes) {
            return new Request(method, target, path, query, operation, headers, bytes);
        }
    }

    /** What the proxy does with a request. */
    public enum Action {
        FORWARD(0, null),
        /** 500 InternalError. */
        FAIL(500, "InternalError"),
        /** 503 SlowDown, as R2 answers under load. */
        SLOW_DOWN(503, "SlowDown"),
        /** 429 SlowDown. */
        TOO_MANY(429, "SlowDown"),
        /** The connection is closed without an answer. */
        RESET(0, null);

        final int status;
        final String code;

        Action(int status, String code) {
            this.status = status;
            this.code = code;
        }
    }

    /** The operations for which the S3 API defines SSE-C headers and R2 requires them on encrypted objects. */
    public static final Set<String> SSE_C_OPERATIONS = SseCRules.OPERATIONS;

    /** Recorded bodies are those up to this size with a Content-Length. */
    static final int SMALL_BODY = 64 * 1024;

    private final int upstreamPort;
    private final SseCRules sseC;
    private final boolean recordBodies;
    private final ServerSocket server;
    private final List<Request> seen = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger injected = new AtomicInteger();
    /**
     * Seeded, and seeded again by {@link #restore()}: the same requests meet the same faults on every run, so a test
     * that asks for 20 % failures never sees none by chance.
     */
    private Random dice = new Random(DICE_SEED);
    private final Map<String, AtomicInteger> puts = new ConcurrentHashMap<>();
    private volatile Function<Request, Action> rule = r -> Action.FORWARD;
    private volatile double fail503;
    private volatile double fail429;
    private volatile double reset;
    private volatile long latencyMillis;
    private volatile boolean cut;

    /** Options of a proxy in front of the S3 server on {@code upstreamPort}. */
    public static Builder to(int upstreamPort) {
        return new Builder(upstreamPort);
    }

    public static final class Builder {
        private final int upstreamPort;
        private String sseCKey;
        private boolean recordBodies;

        private Builder(int upstreamPort) {
            this.upstreamPort = upstreamPort;
        }

        /** Base64 of the SSE-C key every object call must carry; null: none expected (and none allowed). */
        public Builder sseCKey(String base64) {
            this.sseCKey = base64;
            return this;
        }

        /** Keeps each request's body when it is small (see {@link #SMALL_BODY}). */
        public Builder recordBodies() {
            this.recordBodies = true;
            return this;
        }

        public S3TestProxy start() {
            S3TestProxy proxy = new S3TestProxy(this);
            daemon(proxy::acceptLoop, "s3-test-proxy-accept");
            return proxy;
        }
    }

    private S3TestProxy(Builder options) {
        this.upstreamPort = options.upstreamPort;
        this.sseC = new SseCRules(options.sseCKey);
        this.recordBodies = options.recordBodies;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    public List<Request> requests() {
        return List.copyOf(seen);
    }

    public List<Request> requests(String operation) {
        return seen.stream().filter(s -> s.operation().equals(operation)).toList();
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** Decides per request; called before the request is forwarded, so it may also change the world (stop S3Proxy). */
    public void rule(Function<Request, Action> rule) {
        this.rule = rule;
    }

    /** Answers 503 SlowDown to this fraction of requests (0 to 1). */
    public S3TestProxy fail503(double fraction) {
        this.fail503 = fraction;
        return this;
    }

    public S3TestProxy fail429(double fraction) {
        this.fail429 = fraction;
        return this;
    }

    /** Closes the connection without an answer for this fraction of requests. */
    public S3TestProxy reset(double fraction) {
        this.reset = fraction;
        return this;
    }

    public S3TestProxy latency(long millis) {
        this.latencyMillis = millis;
        return this;
    }

    /** Every request is dropped (connection closed) until {@link #restore()}. */
    public S3TestProxy cut() {
        this.cut = true;
        return this;
    }

    /** Back to forwarding everything as it is; what was recorded stays. */
    public S3TestProxy restore() {
        synchronized (this) {
            dice = new Random(DICE_SEED);
        }
        cut = false;
        fail503 = 0;
        fail429 = 0;
        reset = 0;
        latencyMillis = 0;
        rule = r -> Action.FORWARD;
        return this;
    }

    /** {@link #restore()} and forgets what was seen. */
    public void reset() {
        restore();
        seen.clear();
        violations.clear();
    }

    /** Requests answered with a fault (cut, the fractions or the rule). */
    public int injected() {
        return injected.get();
    }

    /**
     * PUT requests passed on to the S3 server, per object key (the path after the bucket): how often each object was
     * uploaded through this proxy, whatever the service says it did. Multipart parts count under their object's key.
     */
    public Map<String, Integer> forwardedPuts() {
        Map<String, Integer> counts = new TreeMap<>();
        puts.forEach((key, n) -> counts.put(key, n.get()));
        return counts;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.forEach(S3TestProxy::closeQuietly);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                daemon(() -> serve(client), "s3-test-proxy-conn");
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        Socket upstream = null;
        try {
            InputStream in = new BufferedInputStream(client.getInputStream(), 64 * 1024);
            OutputStream clientOut = client.getOutputStream();
            while (true) {
                List<String> head = HttpWire.readHead(in);
                if (head == null) {
                    return;
                }
                final Request request = record(head);
                if (latencyMillis > 0) {
                    Thread.sleep(latencyMillis);
                }
                Action action = decide(request);
                if (action == Action.RESET) {
                    return;
                }
                boolean continues = "100-continue".equalsIgnoreCase(request.header("expect"));
                if (action != Action.FORWARD) {
                    if (!continues) {
                        HttpWire.copyBody(in, OutputStream.nullOutputStream(), chunked(request),
                                request.header("content-length"));
                    }
                    HttpWire.writeError(clientOut, action.status, action.code);
                    return;
                }
                if (upstream == null) {
                    upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                    sockets.add(upstream);
                    pump(upstream, client);
                }
                countPut(request);
                OutputStream up = upstream.getOutputStream();
                up.write(forwardedHead(head));
                String length = request.header("content-length");
                if (recordBodies && length != null && !chunked(request) && Long.parseLong(length.trim()) <= SMALL_BODY) {
                    // Read after the head went up: the S3 server's 100 Continue is what releases a waiting body.
                    byte[] body = in.readNBytes(Integer.parseInt(length.trim()));
                    up.write(body);
                    Request withBody = request.withBody(body);
                    seen.replaceAll(r -> r == request ? withBody : r);
                } else {
                    HttpWire.copyBody(in, up, chunked(request), length);
                }
                up.flush();
            }
        } catch (IOException e) {
            // either side went away; closing both tells the other
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(client);
            sockets.remove(client);
            if (upstream != null) {
                closeQuietly(upstream);
                sockets.remove(upstream);
            }
        }
    }

    private Action decide(Request request) {
        double roll;
        synchronized (this) {
            roll = dice.nextDouble();
        }
        Action action;
        if (cut || roll < reset) {
            action = Action.RESET;
        } else if (roll < reset + fail503) {
            action = Action.SLOW_DOWN;
        } else if (roll < reset + fail503 + fail429) {
            action = Action.TOO_MANY;
        } else {
            action = rule.apply(request);
        }
        if (action != Action.FORWARD) {
            injected.incrementAndGet();
        }
        return action;
    }

    /** The request line and headers, without the SSE-C headers when the proxy plays R2's SSE-C (else unchanged). */
    private byte[] forwardedHead(List<String> head) {
        StringBuilder forwarded = new StringBuilder(head.get(0)).append("\r\n");
        for (String line : head.subList(1, head.size())) {
            if (!sseC.strips(line.substring(0, line.indexOf(':')).trim().toLowerCase(Locale.ROOT))) {
                forwarded.append(line).append("\r\n");
            }
        }
        return forwarded.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Responses go back untouched: a byte pump from the S3 server to the service for the life of the connection. */
    private void pump(Socket upstream, Socket client) {
        daemon(() -> {
            try {
                upstream.getInputStream().transferTo(client.getOutputStream());
            } catch (IOException ignored) {
                // connection closed
            } finally {
                closeQuietly(client);
                closeQuietly(upstream);
            }
        }, "s3-test-proxy-pump");
    }

    private Request record(List<String> head) {
        Request request = HttpWire.parse(head);
        seen.add(request);
        violations.addAll(sseC.check(request));
        return request;
    }

    private static boolean chunked(Request request) {
        return "chunked".equalsIgnoreCase(request.header("transfer-encoding"));
    }

    private void countPut(Request request) {
        if (request.method().equals("PUT")) {
            // Path-style: /bucket/key. Multipart parts carry a query and are counted under the same key.
            String path = request.path();
            int slash = path.indexOf('/', 1);
            String key = slash < 0 ? path : HttpWire.decode(path.substring(slash + 1));
            puts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    private static void daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
