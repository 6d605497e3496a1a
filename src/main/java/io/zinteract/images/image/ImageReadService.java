package io.zinteract.images.image;

import io.zinteract.images.image.data.Ids;
import io.zinteract.images.image.data.ImageRecord;
import io.zinteract.images.image.data.ImageRepository;
import io.zinteract.images.image.data.ImageRowCache;
import io.zinteract.images.image.data.PageCursor;
import io.zinteract.images.image.data.StorageKind;
import io.zinteract.images.image.intake.ImageBytes;
import io.zinteract.images.image.intake.ImageType;
import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.storage.R2Urls;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;
import io.zinteract.images.admission.MemoryBudget;
import io.zinteract.images.admission.RequestAdmission;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.ContextNotActiveException;
import jakarta.enterprise.inject.Instance;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Serves images whichever storage holds them, so the app keeps working while a migration moves rows from the
 * database to R2 underneath it.
 */
@ApplicationScoped
public class ImageReadService {

    static final int BASE64_READ_FACTOR = 3;

    private final ImageRepository repository;
    private final ImageRowCache rows;
    private final R2Storage storage;
    private final R2Urls urls;
    private final ServiceConfig config;
    private final MemoryBudget budget;
    private final Instance<CurrentVertxRequest> vertxRequest;

    public ImageReadService(ImageRepository repository, ImageRowCache rows, R2Storage storage, R2Urls urls,
            ServiceConfig config, MemoryBudget budget, Instance<CurrentVertxRequest> vertxRequest) {
        this.rows = rows;
        this.budget = budget;
        this.vertxRequest = vertxRequest;
        this.repository = repository;
        this.storage = storage;
        this.urls = urls;
        this.config = config;
    }

    /**
     * The row of an image: from {@link ImageRowCache} on the caller's thread when it is there (the hot path of a
     * gallery), else from the database on a worker.
     */
    public Uni<ImageRecord> find(String id) {
        // Only a valid id is ever cached, so a hit needs no second check (a third of this method's time).
        ImageRecord cached = id == null ? null : rows.cached(id);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        Ids.requireLookup("id", id);
        return Blocking.call(() -> rows.load(id)).map(found -> found.orElseThrow(() -> ImageService.notFound(id)));
    }

    public Uni<List<ImageRecord>> page(String personaId, String sessionId, String cursor, int limit) {
        String persona = Ids.optionalLookup("personaId", personaId);
        String session = Ids.optional("sessionId", sessionId);
        PageCursor after = cursor == null || cursor.isEmpty() ? null : PageCursor.decode(cursor);
        return Blocking.call(() -> repository.page(persona, session, after, limit));
    }

    /** The content of an image; {@code range} is only forwarded when the bytes are streamed from the bucket. */
    public Uni<ImageContent> content(String id, String range) {
        return content(id, range, null);
    }

    /** Also answers a matching {@code If-None-Match} (304) before any bytes are fetched, whatever the storage. */
    public Uni<ImageContent> content(String id, String range, String ifNoneMatch) {
        // Taken now, on the request's thread: the bytes of a base64 row are held until its response has been written.
        RoutingContext request = currentRequest();
        return find(id).chain(row -> content(row, range, ifNoneMatch, request))
                .onFailure(RowChanged.class).recoverWithUni(changed -> {
                    // The cached row said base64 but the column is empty now: another replica migrated or purged it
                    // within IMAGE_CACHE_TTL. Asked once more, from the database, instead of answering 404.
                    rows.invalidate(id);
                    return find(id).chain(row -> content(row, range, ifNoneMatch, request))
                            .onFailure(RowChanged.class).transform(again -> ImageService.notFound(id));
                });
    }

    private Uni<ImageContent> content(ImageRecord row, String range, String ifNoneMatch, RoutingContext request) {
        return switch (row.storage()) {
            case R2 -> fromR2(row, range, ifNoneMatch);
            case BASE64 -> fromDatabase(row, request);
            case EXTERNAL -> Uni.createFrom().item(new ImageContent.Redirect(StorageKind.EXTERNAL,
                    URI.create(row.imageUrl()), "public, max-age=3600"));
            case NONE -> Uni.createFrom().failure(new ApiException(ErrorCode.IMAGE_CONTENT_MISSING,
                    "image " + row.id() + " has no stored content (status " + row.status() + ")"));
        };
    }

    /** The row's base64 is gone (migrated, purged or deleted since the row was read). */
    private static final class RowChanged extends RuntimeException {
        RowChanged() {
            super(null, null, false, false);
        }
    }

    private Uni<ImageContent> fromR2(ImageRecord row, String range, String ifNoneMatch) {
        if (!storage.configured() && row.hasBase64()) {
            // A row migrated with its base64 retained stays servable even if R2 settings are removed.
            return fromDatabase(row);
        }
        return fromBucket(ProxiedImage.BucketObject.of(row), range, ifNoneMatch);
    }

    /** An object of the bucket, answered as IMAGE_SERVE_MODE says: streamed through, or a redirect to R2. */
    Uni<ImageContent> fromBucket(ProxiedImage.BucketObject object, String range, String ifNoneMatch) {
        // A browser following a redirect cannot send the SSE-C key, so encrypted objects are always streamed.
        if (config.serve().mode() == ServiceConfig.ServeMode.PROXY || storage.sseC()) {
            return ProxiedImage.content(storage, object, range, ifNoneMatch);
        }
        if (object.sha256() != null && ImageResponses.matches(ifNoneMatch, object.sha256())) {
            // The client has these bytes already: no need to send it to the bucket again.
            return Uni.createFrom().item(new ImageContent.NotModified(StorageKind.R2, object.sha256()));
        }
        Optional<String> publicUrl = urls.publicUrl(object.key());
        if (publicUrl.isPresent()) {
            return Uni.createFrom().item(new ImageContent.Redirect(StorageKind.R2, URI.create(publicUrl.get()),
                    "public, max-age=86400"));
        }
        return Uni.createFrom().item(() -> new ImageContent.Redirect(StorageKind.R2,
                urls.presignGet(object.key(), config.serve().presignTtl()), "private, no-store"));
    }

    /**
     * Charges a read to the memory budget until the response ends. From the database: the column read as text (its
     * UTF-8 bytes, then the string), the decoded image and the copy written to the socket, about three times the
     * stored length; from the cache only that copy.
     */
    private Uni<Void> reserved(long bytes, RoutingContext request) {
        if (request == null) {
            return Uni.createFrom().voidItem();
        }
        return budget.reserve(Math.max(bytes, 1))
                .invoke(permit -> RequestAdmission.holdUntilEnd(request, permit)).replaceWithVoid();
    }

    private RoutingContext currentRequest() {
        try {
            return vertxRequest.isResolvable() ? vertxRequest.get().getCurrent() : null;
        } catch (ContextNotActiveException outsideRequest) {
            return null;
        }
    }

    /** A base64 row's content: decoded from the cache on the caller's thread, else read and decoded on a worker. */
    private Uni<ImageContent> fromDatabase(ImageRecord row, RoutingContext request) {
        ImageRowCache.Decoded hit = rows.cachedContent(row.id());
        if (hit != null) {
            return reserved(hit.bytes().length, request).map(ignored -> bytes(hit));
        }
        return reserved(BASE64_READ_FACTOR * (long) row.base64Length(), request).chain(() -> fromDatabase(row));
    }

    private Uni<ImageContent> fromDatabase(ImageRecord row) {
        return Blocking.call(() -> {
            long seen = rows.readStarts();
            String data = repository.findImageData(row.id()).orElseThrow(RowChanged::new);
            byte[] bytes = ImageBytes.decodeBase64(data).orElseThrow(() -> new ApiException(ErrorCode.IMAGE_DATA_CORRUPT,
                    "the stored base64 of image " + row.id() + " cannot be decoded"));
            String type = ImageType.sniff(bytes).map(ImageType::mimeType)
                    .orElse(row.effectiveContentType() == null ? "application/octet-stream" : row.effectiveContentType());
            String sha = row.sha256() != null ? row.sha256() : ImageBytes.sha256Hex(bytes);
            ImageRowCache.Decoded content = new ImageRowCache.Decoded(bytes, type, sha);
            rows.keepContent(row.id(), content, seen);
            return bytes(content);
        });
    }

    private static ImageContent bytes(ImageRowCache.Decoded content) {
        return new ImageContent.Bytes(StorageKind.BASE64, content.bytes(), content.contentType(), content.sha256());
    }
}
