package io.zinteract.images.storage;

import java.util.Map;

/**
 * One object to write. {@code md5Base64} goes out as Content-MD5 so the store refuses bytes damaged on the way;
 * {@code storageClass} null means the bucket's default (STANDARD on R2).
 */
public record PutObject(String key, byte[] bytes, String contentType, String md5Base64, Map<String, String> metadata,
        String storageClass) {
}
