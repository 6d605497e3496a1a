package io.zinteract.images.storage;

import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place that names objects. A key is a function of the image alone ({@code <prefix><personaId>/<imageId>.<ext>}),
 * so a retried upload overwrites its own object instead of leaving an orphan beside it.
 *
 * <p>The mapping from (persona id, image id) to key is injective, because legacy ids are whatever z-interact wrote
 * ({@code coll_1} and {@code coll.1} are two rows). A segment takes one of three forms that can never be equal:
 * <ul>
 * <li>a <em>safe</em> id, {@code [A-Za-z0-9_-]{1,64}}, is its own segment (the keys written before this rule stay);</li>
 * <li>any other id is {@code ~} followed by the lowercase, unpadded base32 of its UTF-8 bytes (reversible; {@code ~}
 * is outside the safe alphabet, and base32 has no {@code ~});</li>
 * <li>when that segment would be longer than {@value #MAX_SEGMENT_BYTES} bytes, or the key longer than R2's 1,024
 * bytes, {@code ~~} and the hex SHA-256 of the UTF-8 bytes (ids over 124 bytes of UTF-8).</li>
 * </ul>
 * The 200-byte bound keeps every segment a legal file name under file-backed S3 servers: S3Proxy's filesystem backend
 * stores each segment as one file or directory name (255 bytes on ext4, XFS, APFS, NTFS) and writes an object
 * through a temporary file named {@code <segment>.<ext>-<UUID>}, 46 bytes more. R2 itself would take longer ones.
 * Segments never hold {@code /} or {@code .}, so a key splits back into exactly one (prefix, persona, id, extension).
 * Keys are case-sensitive on S3 and R2 (and on S3Proxy's filesystem backend on Linux); the encoded forms are
 * lowercase only, so case-only differences exist only between safe ids, as they always did.
 */
@ApplicationScoped
public class ObjectKeys {

    /** R2's key limit. */
    public static final int MAX_KEY_BYTES = 1024;

    /** Prefix of presigned uploads waiting for verification. */
    public static final String UPLOAD_PREFIX = "uploads/";

    /** Prefix of every variant's key ({@link #forVariant}). */
    public static final String VARIANT_PREFIX = "variants/";

    /** An id that is its own key segment: exactly the ids whose key is what it was before encoded segments existed. */
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final String SEGMENT = "(?:[A-Za-z0-9_-]+|~[a-z2-7]*|~~[0-9a-f]{64})";
    // Keys written before the encoded forms (mangled segments of any length) stay valid: the first alternative.
    private static final Pattern KEY = Pattern.compile(SEGMENT + "(?:/" + SEGMENT + ")*(?:\\.[a-z0-9]{1,8})?");
    /** Longest segment: with {@code .<ext>-<UUID>} appended still a file name (255 bytes) on common file systems. */
    static final int MAX_SEGMENT_BYTES = 200;
    private static final String ENCODED = "~";
    private static final String DIGEST = "~~";
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    private final String prefix;
    private final Pattern ownKey;

    public ObjectKeys(R2Config config) {
        this.prefix = config.keyPrefix();
        this.ownKey = Pattern.compile(Pattern.quote(prefix) + "(" + SEGMENT + ")/(" + SEGMENT + ")\\.([a-z0-9]{1,8})");
    }

    /** The key of an image; any persona id and image id, however odd, gets a key of its own. */
    public String forImage(String personaId, String imageId, String extension) {
        String persona = segment(personaId);
        String image = segment(imageId);
        // Digest the longer encoded segment first; both at most when the prefix itself is long.
        for (int i = 0; i < 2 && bytes(prefix + persona + "/" + image + "." + extension) > MAX_KEY_BYTES; i++) {
            if (isEncoded(persona) && (persona.length() >= image.length() || !isEncoded(image))) {
                persona = digest(personaId);
            } else if (isEncoded(image)) {
                image = digest(imageId);
            }
        }
        String key = prefix + persona + "/" + image + "." + extension;
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

    /**
     * The key of a variant of the image stored under {@code originalKey}: {@code variants/<stem>/<ext>/<preset>.<format>}
     * with the original's key split at its extension ({@code _} when it has none), or, when that would not be a valid
     * key (a legacy key of another shape, or over 1,024 bytes), {@code variants/~~<SHA-256 of the key>/-/<preset>.<format>}.
     * Both forms map each (original key, preset, format) to a key of its own: the extension segment is never
     * {@code -}, and an original's key never starts with {@value #VARIANT_PREFIX} (R2_KEY_PREFIX may not, and with an
     * empty prefix an original's key has two segments, a variant's four or more). The same inputs always give the same
     * key, so replicas making one variant at once write one object.
     */
    public static String forVariant(String originalKey, String preset, String extension) {
        int slash = originalKey.lastIndexOf('/');
        int dot = originalKey.lastIndexOf('.');
        boolean hasExtension = dot > slash;
        String stem = hasExtension ? originalKey.substring(0, dot) : originalKey;
        String ext = hasExtension ? originalKey.substring(dot + 1) : "_";
        String tail = "/" + segment(preset) + "." + extension;
        String key = VARIANT_PREFIX + stem + "/" + ext + tail;
        if (bytes(key) > MAX_KEY_BYTES || !KEY.matcher(key).matches() || ext.equals("-")) {
            key = VARIANT_PREFIX + digest(originalKey) + "/-" + tail;
        }
        validate(key);
        return key;
    }

    /** Whether {@code key} lies where variants are kept. */
    public static boolean isVariantKey(String key) {
        return key != null && key.startsWith(VARIANT_PREFIX);
    }

    /** Prefix under which every key of this service lies; listing it finds all our objects. */
    public String prefix() {
        return prefix;
    }

    /**
     * The image id named by one of our keys; empty for a key this service did not name, and for a digest segment
     * (one-way: the rows' {@code r2_key} column is what tells which row owns such a key).
     */
    public Optional<String> imageIdOf(String key) {
        Matcher m = ownKey.matcher(key);
        return m.matches() ? decode(m.group(2)) : Optional.empty();
    }

    /**
     * A value for object metadata naming {@code id}: HTTP headers carry ASCII only, so an id that is not safe goes in
     * its key-segment form.
     */
    public static String metadataValue(String id) {
        return segment(id);
    }

    /** Throws {@link InvalidKeyException} unless {@code key} is safe to send: bounded, no traversal, plain characters. */
    public static void validate(String key) {
        if (key == null || key.isEmpty()) {
            throw new InvalidKeyException("object key is empty");
        }
        if (bytes(key) > MAX_KEY_BYTES) {
            throw new InvalidKeyException("object key is longer than " + MAX_KEY_BYTES + " bytes");
        }
        if (!KEY.matcher(key).matches()) {
            throw new InvalidKeyException("object key has characters outside [A-Za-z0-9_-/.~] or a bad shape: " + key);
        }
    }

    /** The segment of one id: the id itself when safe, else {@code ~} and base32 of its UTF-8 bytes. */
    static String segment(String raw) {
        String id = raw == null ? "" : raw;
        if (SAFE.matcher(id).matches()) {
            return id;
        }
        String encoded = ENCODED + base32(id.getBytes(StandardCharsets.UTF_8));
        return encoded.length() <= MAX_SEGMENT_BYTES ? encoded : digest(id);
    }

    private static boolean isEncoded(String segment) {
        return segment.startsWith(ENCODED) && !segment.startsWith(DIGEST);
    }

    private static String digest(String raw) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((raw == null ? "" : raw).getBytes(StandardCharsets.UTF_8));
            return DIGEST + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Optional<String> decode(String segment) {
        if (segment.startsWith(DIGEST)) {
            return Optional.empty();
        }
        if (segment.startsWith(ENCODED)) {
            return unbase32(segment.substring(1)).map(b -> new String(b, StandardCharsets.UTF_8));
        }
        return Optional.of(segment);
    }

    static String base32(byte[] bytes) {
        StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32[(buffer >>> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }

    /** The bytes of a base32 text this class wrote; empty for a text it could not have written. */
    static Optional<byte[]> unbase32(String text) {
        int length = text.length() * 5 / 8;
        byte[] out = new byte[length];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int v = c >= 'a' && c <= 'z' ? c - 'a' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
            if (v < 0) {
                return Optional.empty();
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out[n++] = (byte) (buffer >>> (bits - 8));
                bits -= 8;
            }
        }
        // Leftover bits must be zero padding, else two texts would decode to the same bytes.
        boolean canonical = bits < 5 && (buffer & ((1 << bits) - 1)) == 0;
        return canonical && n == length ? Optional.of(out) : Optional.empty();
    }

    private static int bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** A key that must not be sent to the store. */
    public static class InvalidKeyException extends IllegalArgumentException {
        public InvalidKeyException(String message) {
            super(message);
        }
    }
}
