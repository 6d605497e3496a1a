package io.zinteract.images.storage.model;

import java.util.Map;

/**
 * One object to write. {@code md5Base64} goes out as Content-MD5 so the store refuses bytes damaged on the way;
 * {@code storageClass} null means the bucket's default (STANDARD on R2). With {@code ifAbsent} the PUT carries
 * {@code If-None-Match: *}, so the store answers 412 instead of replacing an object already at the key.
 */
public record PutObject(String key, byte[] bytes, String contentType, String md5Base64, Map<String, String> metadata,
        String storageClass, boolean ifAbsent) {

    public PutObject(String key, byte[] bytes, String contentType, String md5Base64, Map<String, String> metadata,
            String storageClass) {
        this(key, bytes, contentType, md5Base64, metadata, storageClass, false);
    }

    /** The same write, refused by the store when the key already holds an object. */
    public PutObject onlyIfAbsent() {
        return new PutObject(key, bytes, contentType, md5Base64, metadata, storageClass, true);
    }

    /** The same write, replacing whatever is at the key. */
    public PutObject replacing() {
        return new PutObject(key, bytes, contentType, md5Base64, metadata, storageClass, false);
    }
}
