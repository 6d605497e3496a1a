package io.zinteract.images.image;


import io.zinteract.images.image.data.StorageKind;
import io.zinteract.images.storage.model.ObjectStream;
import java.net.URI;

/** How a GET of an image is answered: the bytes themselves, a redirect, a stream from the bucket, or 304. */
public sealed interface ImageContent {

    StorageKind storage();

    record Bytes(StorageKind storage, byte[] data, String contentType, String sha256) implements ImageContent {
    }

    record Redirect(StorageKind storage, URI location, String cacheControl) implements ImageContent {
    }

    /** The client's If-None-Match matched {@code etag} (a SHA-256, or the store's ETag for rows without one). */
    record NotModified(StorageKind storage, String etag) implements ImageContent {
    }

    record Streamed(StorageKind storage, ObjectStream stream, String sha256) implements ImageContent {
    }
}
