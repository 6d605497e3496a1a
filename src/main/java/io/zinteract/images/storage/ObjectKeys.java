package io.zinteract.images.storage;

import io.zinteract.images.config.R2Config;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that names objects. A key is a function of the image alone ({@code <prefix><personaId>/<imageId>.<ext>}),
 * so a retried upload overwrites its own object instead of leaving an orphan beside it.
 */
@ApplicationScoped
public class ObjectKeys {

    /** R2's key limit. */
    public static final int MAX_KEY_BYTES = 1024;

    /** Prefix of presigned uploads waiting for verification. */
    public static final String UPLOAD_PREFIX = "uploads/";

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*(\\.[a-z0-9]{1,8})?");
    private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_-]");
    private static final int MAX_SEGMENT = 64;

    private final String prefix;
    private final Pattern ownKey;

    public ObjectKeys(R2Config config) {
        this.prefix = config.keyPrefix();
        this.ownKey = Pattern.compile(Pattern.quote(prefix) + "([A-Za-z0-9_-]+)/([A-Za-z0-9_-]+)\\.([a-z0-9]{1,8})");
    }

    /** The key of an image; persona ids outside {@code [A-Za-z0-9_-]} (legacy rows) are made safe the same way every time. */
    public String forImage(String personaId, String imageId, String extension) {
        String key = prefix + segment(personaId) + "/" + segment(imageId) + "." + extension;
        validate(key);
        return key;
    }

    /**
     * Where a presigned upload lands before it is verified: {@code uploads/<uploadId>}, with no extension, so it never
     * looks like an image key. The presigned URL names this key, never the image's, so nothing written through the
     * URL can change an image after it was checked. An R2 lifecycle rule on this prefix sweeps abandoned uploads.
     */
    public String forUpload(String uploadId) {
        String key = UPLOAD_PREFIX + segment(uploadId);
        validate(key);
        return key;
    }

    /** Prefix under which every key of this service lies; listing it finds all our objects. */
    public String prefix() {
        return prefix;
    }

    /** The image id encoded in one of our keys, or empty for a key this service did not name. */
    public Optional<String> imageIdOf(String key) {
        Matcher m = ownKey.matcher(key);
        return m.matches() ? Optional.of(m.group(2)) : Optional.empty();
    }

    /** Throws {@link InvalidKeyException} unless {@code key} is safe to send: bounded, no traversal, plain characters. */
    public static void validate(String key) {
        if (key == null || key.isEmpty()) {
            throw new InvalidKeyException("object key is empty");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new InvalidKeyException("object key is longer than " + MAX_KEY_BYTES + " bytes");
        }
        if (!KEY.matcher(key).matches()) {
            throw new InvalidKeyException("object key has characters outside [A-Za-z0-9_-/.] or a bad shape: " + key);
        }
    }

    private static String segment(String raw) {
        if (raw == null || raw.isBlank()) {
            return "_";
        }
        String safe = UNSAFE.matcher(raw.trim()).replaceAll("_");
        return safe.length() > MAX_SEGMENT ? safe.substring(0, MAX_SEGMENT) : safe;
    }

    /** A key that must not be sent to the store. */
    public static class InvalidKeyException extends IllegalArgumentException {
        public InvalidKeyException(String message) {
            super(message);
        }
    }
}
