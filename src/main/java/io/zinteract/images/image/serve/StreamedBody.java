package io.zinteract.images.image.serve;

/**
 * A response body that arrives in pieces from the bucket, with its length as the store announced it (-1 if it did not); written by
 * {@link StreamedBodyWriter} with that {@code Content-Length} and one piece in flight at a time.
 */
public record StreamedBody(io.smallrye.mutiny.Multi<byte[]> data, long length) {
}
