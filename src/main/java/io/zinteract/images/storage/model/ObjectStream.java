package io.zinteract.images.storage.model;

import io.smallrye.mutiny.Multi;

/**
 * An object being read: its headers as the store sent them and its bytes as they arrive. {@code contentRange} is set
 * when a range was asked for and the store answered 206.
 */
public record ObjectStream(long contentLength, String contentType, String etag, String contentRange,
        Multi<byte[]> body) {
}
