package io.zinteract.images.support.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback TCP proxy in front of an S3 server that forwards every byte unchanged and records each request's line
 * and headers, so tests can see exactly what the service's SDK client sent (e.g. Content-MD5 and no
 * {@code x-amz-checksum-*} on PutBucketCors). Bytes are untouched, so SigV4 signatures stay valid. Requests are
 * framed by Content-Length or chunked encoding, as HTTP/1.1 keep-alive connections need.
 */
public final class WireRecorder implements AutoCloseable {

    /** One request as it went over the wire; header names lower-cased; the body when it is small (else null). */
    public record Request(String method, String target, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : String.join(",", values);
        }
    }

    /** Bodies up to this size are kept with their request. */
    static final int SMALL_BODY = 64 * 1024;

    private final int targetPort;
    private final ServerSocket server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public WireRecorder(int targetPort) {
        this.targetPort = targetPort;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread accept = new Thread(this::acceptLoop, "recording-proxy-" + server.getLocalPort());
        accept.setDaemon(true);
        accept.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    public void clear() {
        requests.clear();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(upstream);
                daemon(() -> forwardRequests(client, upstream));
                daemon(() -> pump(upstream, client));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private void forwardRequests(Socket client, Socket upstream) {
        try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
            while (true) {
                byte[] head = readHead(in);
                if (head == null) {
                    return;
                }
                out.write(head);
                Request request = parse(new String(head, StandardCharsets.ISO_8859_1));
                String length = request.header("content-length");
                if ("chunked".equalsIgnoreCase(request.header("transfer-encoding"))) {
                    requests.add(request);
                    copyChunked(in, out);
                } else if (length != null && Long.parseLong(length.trim()) <= SMALL_BODY) {
                    byte[] body = in.readNBytes(Integer.parseInt(length.trim()));
                    out.write(body);
                    requests.add(new Request(request.method(), request.target(), request.headers(), body));
                } else {
                    requests.add(request);
                    if (length != null) {
                        copy(in, out, Long.parseLong(length.trim()));
                    }
                }
                out.flush();
            }
        } catch (IOException closed) {
            // either side hung up: the connection is over
        } finally {
            closeQuietly(upstream);
        }
    }

    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException closed) {
            // connection over
        } finally {
            closeQuietly(to);
        }
    }

    /** Bytes up to and including the blank line that ends a request head; null at a clean end of stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toByteArray();
            }
        }
        return null;
    }

    private static Request parse(String head) {
        String[] lines = head.split("\r\n");
        String[] start = lines[0].split(" ", 3);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        k -> new ArrayList<>()).add(lines[i].substring(colon + 1).trim());
            }
        }
        return new Request(start[0], start.length > 1 ? start[1] : "", headers, null);
    }

    private static void copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[8192];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("body ended early");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }

    private static void copyChunked(InputStream in, OutputStream out) throws IOException {
        while (true) {
            String sizeLine = readLine(in);
            out.write((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            long size = Long.parseLong(sizeLine.split(";", 2)[0].trim(), 16);
            if (size == 0) {
                String trailer;
                do {
                    trailer = readLine(in);
                    out.write((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                } while (!trailer.isEmpty());
                return;
            }
            copy(in, out, size + 2);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            if (b != '\r') {
                line.write(b);
            }
        }
        if (b == -1) {
            throw new IOException("stream ended in a chunk header");
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "recording-proxy-io");
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

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.forEach(WireRecorder::closeQuietly);
    }
}
