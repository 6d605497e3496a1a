package io.zinteract.images.support.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** HTTP/1.1 for {@link S3TestProxy}: request heads read and parsed, bodies by Content-Length or chunks, its own answers. */
final class HttpWire {

    private HttpWire() {
    }

    /** The request line and header lines up to the blank line; null when the connection ended between requests. */
    static List<String> readHead(InputStream in) throws IOException {
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

    /** A request head as the proxy records it: path and decoded query apart, header names lower case. */
    static S3TestProxy.Request parse(List<String> head) {
        String[] requestLine = head.get(0).split(" ", 3);
        String method = requestLine[0];
        String target = requestLine.length > 1 ? requestLine[1] : "";
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line : head.subList(1, head.size())) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(line.substring(colon + 1).trim());
            }
        }
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
        return new S3TestProxy.Request(method, target, path, query,
                SseCRules.operation(method, path, query, headers), Map.copyOf(headers), null);
    }

    static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** Copies one request body, framed by chunks or by {@code contentLength} (none: no body). */
    static void copyBody(InputStream in, OutputStream out, boolean chunked, String contentLength) throws IOException {
        if (chunked) {
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
        if (contentLength != null) {
            copyExactly(in, out, Long.parseLong(contentLength.trim()));
        }
    }

    /** An S3 error answer, after which the connection is closed. */
    static void writeError(OutputStream out, int status, String code) throws IOException {
        String message = status == 500 ? "failure injected by the test proxy" : "Please reduce your request rate.";
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
                + "</Message></Error>").getBytes(StandardCharsets.UTF_8);
        String reason = switch (status) {
            case 429 -> "Too Many Requests";
            case 503 -> "Service Unavailable";
            default -> "Internal Server Error";
        };
        out.write(("HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/xml\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
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
}
