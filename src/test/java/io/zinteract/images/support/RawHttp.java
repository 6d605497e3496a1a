package io.zinteract.images.support;

import io.restassured.RestAssured;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests no client library sends (a 64 KiB request line, a bare chunked body,
 * 1,100 form fields) and for answers the framework gives before any of our code runs.
 */
public final class RawHttp {

    /** Status, headers (lower-case names) and body of one answer. */
    public record Answer(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Sends {@code head} then {@code body} (which may be cut short by the server closing) and reads one answer. */
    public static Answer exchange(byte[] head, byte[] body) throws IOException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(head);
                if (body != null) {
                    for (int at = 0; at < body.length; at += 64 * 1024) {
                        out.write(body, at, Math.min(64 * 1024, body.length - at));
                    }
                }
                out.flush();
            } catch (IOException closedEarly) {
                // The server may answer and close before taking the whole request; its answer is still readable.
            }
            return read(socket.getInputStream());
        }
    }

    /** Sends {@code head}, then {@code total} bytes as 64 KiB chunks and the last chunk, then reads one answer. */
    public static Answer exchangeChunked(String head, long total) throws IOException {
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'a');
            try {
                out.write(ascii(head));
                for (long sent = 0; sent < total; sent += chunk.length) {
                    out.write(ascii(Integer.toHexString(chunk.length) + "\r\n"));
                    out.write(chunk);
                    out.write(ascii("\r\n"));
                }
                out.write(ascii("0\r\n\r\n"));
                out.flush();
            } catch (IOException closedEarly) {
                // Refused part-way: the answer is already on its way back.
            }
            return read(socket.getInputStream());
        }
    }

    public static Answer exchange(String head) throws IOException {
        return exchange(ascii(head), null);
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int end = -1;
        byte[] buffer = new byte[8192];
        while (end < 0) {
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            raw.write(buffer, 0, n);
            end = raw.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
        }
        String all = raw.toString(StandardCharsets.ISO_8859_1);
        if (end < 0) {
            throw new IOException("no complete answer head: [" + all + "]");
        }
        String[] lines = all.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        byte[] bodySoFar = raw.toByteArray();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(bodySoFar, end + 4, bodySoFar.length - end - 4);
        long length = headers.containsKey("content-length") ? Long.parseLong(headers.get("content-length")) : -1;
        try {
            while (length < 0 || body.size() < length) {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                body.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException | java.net.SocketException e) {
            // Keep what arrived: the answer head says how much there should be and the caller checks it.
        }
        return new Answer(status, headers, body.toString(StandardCharsets.UTF_8));
    }
}
