package io.zinteract.images.storage.model;

import java.util.Map;

/** What a HEAD of an object tells: size, ETag without quotes, type, storage class and custom metadata. */
public record ObjectHead(String key, long size, String etag, String contentType, String storageClass,
        Map<String, String> metadata) {
}
