package io.zinteract.images.support.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A forwarding HTTP/1.1 proxy on loopback between the service and S3Proxy, so tests see every request the service
 * sends to the store, byte for byte apart from what this proxy is told to strip.
 *
 * <p>With an expected SSE-C key it plays R2's side of SSE-C, which no local S3 server implements: every request of an
 * operation that reads or writes object data must carry algorithm {@code AES256}, the expected key and the key's MD5,
 * all three covered by the SigV4 signature (and, on a copy, the same three for the source); anything else is recorded
 * as a violation. The headers are then stripped (S3Proxy answers 501 to them) and the request forwarded; S3Proxy must
 * run without signature checks for that. Without a key, any SSE-C header is a violation.
 *
 * <p>A rule can fail chosen requests with a 500, or do anything (stop S3Proxy) before a request is forwarded.
 */
public final class RecordingProxy implements AutoCloseable {

    /** One request as the service sent it. Header names are lower case. */
    public record Seen(String method, String path, Map<String, String> query, String operation,
            Map<String, String> headers) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    public enum Action {
        FORWARD, FAIL
    }

    /** The operations for which the S3 API defines SSE-C headers and R2 requires them on encrypted objects. */
    public static final Set<String> SSE_C_OPERATIONS = SseCRules.OPERATIONS;

    private final int upstreamPort;
    private final SseCRules rules;
    private final ServerSocket server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile Function<Seen, Action> rule = s -> Action.FORWARD;

    /** {@code expectedKeyBase64} null: no SSE-C expected (and none allowed). */
    public RecordingProxy(int upstreamPort, String expectedKeyBase64) {
        this.upstreamPort = upstreamPort;
        this.rules = new SseCRules(expectedKeyBase64);
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public RecordingProxy start() {
        Thread accept = new Thread(this::acceptLoop, "recording-proxy-accept");
        accept.setDaemon(true);
        accept.start();
        return this;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    public List<Seen> requests() {
        return List.copyOf(seen);
    }

    public List<Seen> requests(String operation) {
        return seen.stream().filter(s -> s.operation().equals(operation)).toList();
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** Forgets what was seen and goes back to forwarding everything. */
    public void reset() {
        seen.clear();
        violations.clear();
        rule = s -> Action.FORWARD;
    }

    /** Decides per request; called before the request is forwarded, so it may also change the world (stop S3Proxy). */
    public void rule(Function<Seen, Action> rule) {
        this.rule = rule;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.forEach(RecordingProxy::closeQuietly);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread t = new Thread(() -> serve(client), "recording-proxy-conn");
                t.setDaemon(true);
                t.start();
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
                List<String> head = readHead(in);
                if (head == null) {
                    return;
                }
                String[] requestLine = head.get(0).split(" ", 3);
                Map<String, String> headers = new LinkedHashMap<>();
                for (String line : head.subList(1, head.size())) {
                    int colon = line.indexOf(':');
                    headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
                Seen request = record(requestLine[0], requestLine[1], headers);
                if (rule.apply(request) == Action.FAIL) {
                    if (!"100-continue".equalsIgnoreCase(headers.get("expect"))) {
                        copyBody(in, OutputStream.nullOutputStream(), headers);
                    }
                    byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>InternalError</Code>"
                            + "<Message>failure injected by the test proxy</Message></Error>").getBytes(StandardCharsets.UTF_8);
                    clientOut.write(("HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/xml\r\nContent-Length: "
                            + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    clientOut.write(body);
                    clientOut.flush();
                    return;
                }
                if (upstream == null) {
                    upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                    sockets.add(upstream);
                    pump(upstream, client);
                }
                OutputStream up = upstream.getOutputStream();
                StringBuilder forwarded = new StringBuilder(head.get(0)).append("\r\n");
                for (String line : head.subList(1, head.size())) {
                    String name = line.substring(0, line.indexOf(':')).trim().toLowerCase(Locale.ROOT);
                    if (rules.strips(name)) {
                        continue;
                    }
                    forwarded.append(line).append("\r\n");
                }
                up.write(forwarded.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
                copyBody(in, up, headers);
                up.flush();
            }
        } catch (IOException e) {
            // either side went away; closing both tells the other
        } finally {
            closeQuietly(client);
            sockets.remove(client);
            if (upstream != null) {
                closeQuietly(upstream);
                sockets.remove(upstream);
            }
        }
    }

    /** Responses go back untouched: a byte pump from S3Proxy to the service for the life of the connection. */
    private void pump(Socket upstream, Socket client) {
        Thread t = new Thread(() -> {
            try {
                upstream.getInputStream().transferTo(client.getOutputStream());
            } catch (IOException ignored) {
                // connection closed
            } finally {
                closeQuietly(client);
                closeQuietly(upstream);
            }
        }, "recording-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private Seen record(String method, String target, Map<String, String> headers) {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        Map<String, String> query = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : target.substring(q + 1).split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    query.put(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
                }
            }
        }
        Seen request = new Seen(method, path, query, SseCRules.operation(method, path, query, headers),
                Map.copyOf(headers));
        seen.add(request);
        violations.addAll(rules.check(request));
        return request;
    }

    /** The request line and header lines up to the blank line; null when the connection ended between requests. */
    private static List<String> readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                if (buffer.size() == 0) {
                    return null;
                }
                throw new IOException("connection ended inside a request head");
            }
            buffer.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
            if (buffer.size() > 64 * 1024) {
                throw new IOException("request head too long");
            }
        }
        String text = buffer.toString(StandardCharsets.ISO_8859_1);
        return new ArrayList<>(List.of(text.substring(0, text.length() - 4).split("\r\n")));
    }

    private static void copyBody(InputStream in, OutputStream out, Map<String, String> headers) throws IOException {
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            while (true) {
                String sizeLine = readLine(in);
                out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                long size = Long.parseLong(sizeLine.split(";", 2)[0].trim(), 16);
                if (size == 0) {
                    for (String trailer = readLine(in); ; trailer = readLine(in)) {
                        out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        if (trailer.isEmpty()) {
                            return;
                        }
                    }
                }
                copyExactly(in, out, size + 2);
            }
        }
        String length = headers.get("content-length");
        if (length != null) {
            copyExactly(in, out, Long.parseLong(length.trim()));
        }
    }

    private static void copyExactly(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long left = n;
        while (left > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                throw new IOException("connection ended inside a request body");
            }
            out.write(buffer, 0, read);
            left -= read;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection ended inside a chunked body");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
