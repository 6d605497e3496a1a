package io.zinteract.images.storage.model;

import java.net.URI;
import java.time.Instant;
import java.util.Map;

/**
 * A PUT URL signed for one object. {@code headers} are the headers that were signed (besides Host): the client must
 * send exactly these, which is what binds the upload to one content type, one length and, when given, one MD5.
 */
public record PresignedPut(URI url, Map<String, String> headers, Instant expiresAt) {

    /** Signed header names come lower-cased; clients and docs spell them the usual way (Content-MD5, Content-Type). */
    public static String headerName(String lower) {
        if (lower.equalsIgnoreCase("content-md5")) {
            return "Content-MD5";
        }
        StringBuilder name = new StringBuilder(lower.length());
        boolean upper = true;
        for (char c : lower.toCharArray()) {
            name.append(upper ? Character.toUpperCase(c) : c);
            upper = c == '-';
        }
        return name.toString();
    }
}
