package io.zinteract.images.storage.model;

import java.time.Instant;
import java.util.List;

/** One page of a listing, and the token for the next one ({@code null} on the last page). */
public record ListPage(List<Entry> entries, String nextContinuationToken) {

    /** One object; {@code lastModified} is null when the store did not say. */
    public record Entry(String key, long size, String etag, Instant lastModified) {
    }
}
