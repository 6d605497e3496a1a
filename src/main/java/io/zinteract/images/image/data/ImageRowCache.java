package io.zinteract.images.image.data;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.zinteract.images.config.ServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rows {@code GET /api/images/{id}} (and its variants and metadata) look up, kept for {@code IMAGE_CACHE_TTL} so
 * that a gallery's repeated requests skip the database: a stored image never changes, only the writes below move or
 * remove it, and each of them calls {@link #invalidate} once its transaction has committed.
 *
 * <p>Across replicas (several processes on one PostgreSQL) nothing tells this process about another's write, so a
 * cached row lives only a few seconds. That bound was chosen over a version check because checking a version is a
 * database round trip per request, the very cost this cache removes; a few seconds is also what a client already
 * tolerates, since a presigned URL handed out a moment before a delete stays valid for {@code PRESIGN_TTL} anyway.
 * A lookup that finds nothing is never kept: another replica may insert the row the next moment.
 *
 * <p>Memory is bounded by entry count ({@code IMAGE_CACHE_MAX_ENTRIES}) and by the size of each entry: rows with
 * more than {@link #MAX_CACHED_CHARS} characters of text (a legacy prompt of unbounded length) are read each time
 * instead, so one entry is at most about 11 KB and a typical one (a prompt of a few hundred characters) about 1 KB.
 *
 * <p>The decoded bytes of base64 (database) images are kept beside the rows, under the same TTL and invalidations,
 * in at most {@code IMAGE_CACHE_BYTES} (an image larger than a quarter of that is read each time): reading ~270 KB
 * of base64 text from the database and decoding it was nearly all of such a GET's time.
 */
@ApplicationScoped
public class ImageRowCache {

    /** API prompts stop at 4,000 characters; ids, keys, hashes and URLs add a few hundred. */
    static final int MAX_CACHED_CHARS = 5_000;

    private final ImageRepository repository;
    /** Null when {@code IMAGE_CACHE_TTL} is zero or {@code IMAGE_CACHE_MAX_ENTRIES} is 0. */
    private final Cache<String, ImageRecord> rows;
    /**
     * Counts invalidations. A load keeps its row only if none happened while it read: otherwise it may have read a
     * row just before a write committed and would put it back after that write's invalidation removed it.
     */
    private final AtomicLong invalidations = new AtomicLong();
    /** Null when the row cache is off or {@code IMAGE_CACHE_BYTES} is 0. */
    private final Cache<String, Decoded> decoded;
    private final long largestDecoded;

    /** The content of a base64 row as served: the bytes (never modified once here), their type and SHA-256. */
    public record Decoded(byte[] bytes, String contentType, String sha256) {
    }

    public ImageRowCache(ImageRepository repository, ServiceConfig config, MeterRegistry registry) {
        this.repository = repository;
        ServiceConfig.Cache settings = config.serve().cache();
        if (settings.ttl().isZero() || settings.maxEntries() == 0) {
            this.rows = null;
        } else {
            this.rows = Caffeine.newBuilder().maximumSize(settings.maxEntries()).expireAfterWrite(settings.ttl())
                    .recordStats().build();
            CaffeineCacheMetrics.monitor(registry, rows, "image-rows");
        }
        if (rows == null || settings.maxBytes() == 0) {
            this.decoded = null;
            this.largestDecoded = 0;
        } else {
            // The weight counts the array and the entry's own few hundred bytes, so tiny images cannot overfill it.
            this.decoded = Caffeine.newBuilder().maximumWeight(settings.maxBytes()).expireAfterWrite(settings.ttl())
                    .<String, Decoded>weigher((id, d) -> d.bytes().length + 256).recordStats().build();
            this.largestDecoded = settings.maxBytes() / 4;
            CaffeineCacheMetrics.monitor(registry, decoded, "image-bytes");
        }
    }

    /** The row if it is cached: then it is answered on the caller's thread, with no database trip. */
    public ImageRecord cached(String id) {
        return rows == null ? null : rows.getIfPresent(id);
    }

    /** Reads the row from the database (blocking) and keeps it, unless a write invalidated rows meanwhile. */
    public Optional<ImageRecord> load(String id) {
        long seen = invalidations.get();
        Optional<ImageRecord> row = repository.findById(id);
        if (rows != null && row.isPresent() && cacheable(row.get())) {
            // Decided under the entry's lock, which invalidate's removal also takes: either this put comes first and
            // is removed by it, or it sees the count moved and leaves nothing.
            rows.asMap().compute(id, (key, old) -> invalidations.get() == seen ? row.get() : null);
        }
        return row;
    }

    /** The decoded content of a base64 row if it is cached. */
    public Decoded cachedContent(String id) {
        return decoded == null ? null : decoded.getIfPresent(id);
    }

    /**
     * Marks the start of a content read: pass the answer to {@link #keepContent}, which keeps nothing if a write
     * invalidated rows meanwhile.
     */
    public long readStarts() {
        return invalidations.get();
    }

    /** Keeps a base64 row's decoded content read since {@code seen} (from {@link #readStarts}). */
    public void keepContent(String id, Decoded content, long seen) {
        if (decoded != null && content.bytes().length <= largestDecoded) {
            decoded.asMap().compute(id, (key, old) -> invalidations.get() == seen ? content : null);
        }
    }

    /** Drops the row and its decoded content: called after every committed write to it (and after its delete). */
    public void invalidate(String id) {
        invalidations.incrementAndGet();
        if (rows != null) {
            rows.invalidate(id);
        }
        if (decoded != null) {
            decoded.invalidate(id);
        }
    }

    /**
     * Rows with no content yet ({@code generating}) or none at all are about to change or are answered with an error
     * anyway; rows with unbounded text would break the memory bound.
     */
    static boolean cacheable(ImageRecord row) {
        if (row.storage() == StorageKind.NONE) {
            return false;
        }
        long chars = 0;
        for (String s : new String[] { row.id(), row.sessionId(), row.participantId(), row.tableId(), row.personaId(),
                row.personaTitle(), row.imageUrl(), row.imageMimeType(), row.prompt(), row.provider(), row.status(),
                row.r2Key(), row.migrationStatus(), row.contentType(), row.sha256(), row.storageClass(),
                row.thumbhash() }) {
            chars += s == null ? 0 : s.length();
        }
        return chars <= MAX_CACHED_CHARS;
    }
}
