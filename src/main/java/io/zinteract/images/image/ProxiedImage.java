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

    static Uni<ImageContent> content(R2Storage storage, ImageRecord row, String range, String ifNoneMatch) {
        Uni<Validator> validator = row.sizeBytes() != null && row.sizeBytes() > 0 && row.sha256() != null
                ? Uni.createFrom().item(new Validator(row.sizeBytes(), row.sha256()))
                : storage.head(row.r2Key()).map(head -> head
                        .map(h -> new Validator(h.size(), row.sha256() != null ? row.sha256() : h.etag()))
                        .orElseThrow(() -> missing(row)));
        return validator.chain(v -> {
            if (ImageResponses.matches(ifNoneMatch, v.etag())) {
                return Uni.createFrom().item(new ImageContent.NotModified(StorageKind.R2, v.etag()));
            }
            Optional<ByteRange> resolved = ByteRange.parse(range, v.size());
            return storage.open(row.r2Key(), resolved.map(ByteRange::header).orElse(null)).map(found -> found
                    .<ImageContent>map(stream -> new ImageContent.Streamed(StorageKind.R2, stream, v.etag()))
                    .orElseThrow(() -> missing(row)));
        });
    }

    static ApiException missing(ImageRecord row) {
        return new ApiException(ErrorCode.IMAGE_CONTENT_MISSING,
                "the stored object of image " + row.id() + " is missing from the bucket");
    }
}
