package io.zinteract.images.storage;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The SSE-C key ({@code R2_SSE_C_KEY}) as the three headers R2 wants on every object read and write: algorithm
 * {@code AES256}, the key in base64 and the base64 MD5 of the key, by which the store checks that the key arrived
 * intact. The store keeps only a salted hash of the key, so an object is readable only with the same key.
 */
public final class SseCustomerKey {

    public static final String ALGORITHM = "AES256";
    static final int KEY_BYTES = 32;

    private final String keyBase64;
    private final String keyMd5Base64;

    private SseCustomerKey(byte[] key) {
        this.keyBase64 = Base64.getEncoder().encodeToString(key);
        this.keyMd5Base64 = Base64.getEncoder().encodeToString(md5(key));
    }

    /**
     * The key from its setting; empty when the setting is absent or blank. Throws {@link IllegalArgumentException}
     * with a message fit for an operator when the value is not base64 of exactly 32 bytes.
     */
    public static Optional<SseCustomerKey> parse(Optional<String> setting) {
        if (setting.filter(s -> !s.isBlank()).isEmpty()) {
            return Optional.empty();
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(setting.get().trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("R2_SSE_C_KEY must be base64 (e.g. openssl rand -base64 32)");
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("R2_SSE_C_KEY must be the base64 of exactly 32 bytes, not " + key.length
                    + " (e.g. openssl rand -base64 32)");
        }
        return Optional.of(new SseCustomerKey(key));
    }

    /** Hands the three header values to a request builder's setters, e.g. {@code b::sseCustomerAlgorithm}. */
    public void apply(Consumer<String> algorithm, Consumer<String> key, Consumer<String> keyMd5) {
        algorithm.accept(ALGORITHM);
        key.accept(keyBase64);
        keyMd5.accept(keyMd5Base64);
    }

    /** Base64 MD5 of the key, as sent in {@code x-amz-server-side-encryption-customer-key-MD5}; safe to log. */
    public String keyMd5Base64() {
        return keyMd5Base64;
    }

    @Override
    public String toString() {
        return "SseCustomerKey[md5=" + keyMd5Base64 + "]";
    }

    private static byte[] md5(byte[] bytes) {
        try {
            return MessageDigest.getInstance("MD5").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JRE", e);
        }
    }
}
