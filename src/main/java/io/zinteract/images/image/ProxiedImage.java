package io.zinteract.images.image;

import io.zinteract.images.image.data.ImageRecord;
import io.zinteract.images.image.data.StorageKind;
import io.zinteract.images.image.serve.ByteRange;
import io.zinteract.images.storage.R2Storage;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;

import java.util.Optional;

/**
 * An R2 image streamed through the service (IMAGE_SERVE_MODE=proxy, or SSE-C), with the same HTTP semantics as an
 * image served from its base64 row: If-None-Match is answered 304 without touching the bucket, and a Range is
 * resolved here against the image's size (the row's {@code size_bytes}, else a HEAD), so the store only ever gets a
 * satisfiable, normalised {@code bytes=start-end}. A range outside the image is the client's 416 with
 * {@code Content-Range: bytes *}{@code /size}, never a store error that would be reported as an outage.
 */
final class ProxiedImage {

    private ProxiedImage() {
    }

    /** What identifies the bytes: the SHA-256 the row records (as base64 rows use), else the store's ETag. */
    private record Validator(long size, String etag) {
    }

    /** An object in the bucket that answers for image {@code imageId}: the image itself, or one of its variants. */
    record BucketObject(String imageId, String key, Long size, String sha256) {

        static BucketObject of(ImageRecord row) {
            return new BucketObject(row.id(), row.r2Key(), row.sizeBytes(), row.sha256());
        }
    }

    static Uni<ImageContent> content(R2Storage storage, BucketObject object, String range, String ifNoneMatch) {
        Uni<Validator> validator = object.size() != null && object.size() > 0 && object.sha256() != null
                ? Uni.createFrom().item(new Validator(object.size(), object.sha256()))
                : storage.head(object.key()).map(head -> head
                        .map(h -> new Validator(h.size(), object.sha256() != null ? object.sha256() : h.etag()))
                        .orElseThrow(() -> missing(object)));
        return validator.chain(v -> {
            if (ImageResponses.matches(ifNoneMatch, v.etag())) {
                return Uni.createFrom().item(new ImageContent.NotModified(StorageKind.R2, v.etag()));
            }
            Optional<ByteRange> resolved = ByteRange.parse(range, v.size());
            return storage.open(object.key(), resolved.map(ByteRange::header).orElse(null)).map(found -> found
                    .<ImageContent>map(stream -> new ImageContent.Streamed(StorageKind.R2, stream, v.etag()))
                    .orElseThrow(() -> missing(object)));
        });
    }

    static ApiException missing(BucketObject object) {
        return new ApiException(ErrorCode.IMAGE_CONTENT_MISSING, "the stored object " + object.key() + " of image "
                + object.imageId() + " is missing from the bucket");
    }
}
