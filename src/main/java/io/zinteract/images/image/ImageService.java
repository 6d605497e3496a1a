package io.zinteract.images.image;

import io.zinteract.images.image.data.Ids;
import io.zinteract.images.image.data.ImageRepository;
import io.zinteract.images.image.data.ImageRowCache;
import io.zinteract.images.image.data.NewImageRow;
import io.zinteract.images.image.data.StorageKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.admission.MemoryBudget;
import io.zinteract.images.admission.MemoryPermit;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.quota.QuotaEndpoint;
import io.zinteract.images.quota.QuotaExceededException;
import io.zinteract.images.quota.QuotaService;
import io.zinteract.images.storage.multipart.MultipartUploader;
import io.zinteract.images.storage.NewObjects;
import io.zinteract.images.storage.ObjectKeyConflictException;
import io.zinteract.images.storage.ObjectKeys;
import io.zinteract.images.storage.model.PutObject;
import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.storage.R2Urls;
import io.zinteract.images.variant.VariantService;
import io.zinteract.images.storage.StorageException;
import io.zinteract.images.storage.StorageClassPolicy;
import io.zinteract.images.image.intake.ImageBytes;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

import java.util.Base64;
import java.util.Map;

/**
 * Creates and deletes images. Writes follow one order: the object first, then the row; a row that cannot be
 * written gets its fresh object deleted, and a delete removes the object before the row, so no row ever points at
 * an object that is not there.
 *
 * <p>Uploads above {@code MULTIPART_THRESHOLD} are never read into memory: they stay in the file the request was
 * spooled to, are hashed from there and go to R2 as a multipart upload. They have no database fallback (base64 of
 * hundreds of MiB in a row helps nobody): if R2 fails, the answer is 503 and nothing is stored.
 */
@ApplicationScoped
public class ImageService {

    private static final Logger LOG = Logger.getLogger(ImageService.class);
    /** Held per byte of an image stored base64: the string (4/3) and its encoded form bound to the statement. */
    static final int BASE64_FALLBACK_FACTOR = 3;

    private final ImageRepository repository;
    private final ImageRowCache rows;
    private final R2Storage storage;
    private final R2Urls urls;
    private final ObjectKeys keys;
    private final ServiceConfig config;
    private final MeterRegistry registry;
    private final MultipartUploader uploader;
    private final StorageClassPolicy classes;
    private final NewObjects newObjects;
    private final MemoryBudget budget;
    private final ImageIntake intake;
    private final VariantService variants;
    private final QuotaService quota;

    public ImageService(ImageRepository repository, ImageRowCache rows, R2Storage storage, R2Urls urls,
            ObjectKeys keys, ServiceConfig config, MeterRegistry registry, MultipartUploader uploader,
            StorageClassPolicy classes, NewObjects newObjects, MemoryBudget budget, ImageIntake intake,
            VariantService variants, QuotaService quota) {
        this.quota = quota;
        this.rows = rows;
        this.intake = intake;
        this.variants = variants;
        this.newObjects = newObjects;
        this.budget = budget;
        this.repository = repository;
        this.storage = storage;
        this.urls = urls;
        this.keys = keys;
        this.config = config;
        this.registry = registry;
        this.uploader = uploader;
        this.classes = classes;
    }

    /** A direct upload ({@code POST /api/images}): see {@link #store(ImageUpload, QuotaEndpoint)}. */
    public Uni<StoredImage> store(ImageUpload upload) {
        return store(upload, QuotaEndpoint.UPLOAD);
    }

    /**
     * Validates, reserves room under the quotas (once the size is known, before anything is written), stores the
     * bytes in R2 or the database by the flag, and writes the row. The reservation goes once the row counts instead,
     * or when the store failed.
     */
    public Uni<StoredImage> store(ImageUpload upload, QuotaEndpoint endpoint) {
        return Blocking.call(() -> reserve(intake.prepare(upload), endpoint))
                .chain(r -> (r.prepared().file() != null ? persistLarge(r.prepared()) : persist(r.prepared(), false))
                        .onTermination().call(() -> quota.releaseLater(r.reservation())));
    }

    /**
     * Stores the bytes for a row that already exists in status {@code generating} (written before the provider was
     * called) and completes it; the row's other fields stay as they are. Its bytes must fit the quotas: a refusal
     * deletes the row (the generation was counted, nothing is stored).
     */
    public Uni<StoredImage> completeGenerating(NewImageRow pending, byte[] bytes) {
        return Blocking.call(() -> {
            try {
                return reserve(intake.generated(pending, bytes), QuotaEndpoint.GENERATE);
            } catch (QuotaExceededException refused) {
                repository.delete(pending.id());
                throw refused;
            }
        }).chain(r -> persist(r.prepared(), true).onTermination().call(() -> quota.releaseLater(r.reservation())));
    }

    private Reserved reserve(ImageIntake.Prepared p, QuotaEndpoint endpoint) {
        NewImageRow b = p.base();
        return new Reserved(p, quota.reserve(QuotaService.Claim.held(b.id(), b.owner().sessionId(), b.personaId(),
                b.sizeBytes()), endpoint));
    }

    private record Reserved(ImageIntake.Prepared prepared, QuotaService.Reservation reservation) {
    }

    private Uni<StoredImage> persist(ImageIntake.Prepared prepared, boolean rowExists) {
        Uni<Stored> stored = config.enableR2Storage() ? toR2OrFallback(prepared)
                : Uni.createFrom().item(asBase64(prepared, false));
        // Variants are made once the row is there, off this request; their failure is never the upload's.
        return stored.chain(s -> write(s, rowExists).onTermination().invoke(s::release))
                .invoke(image -> variants.schedule(image.id(), prepared.bytes()));
    }

    /**
     * Deletes the object first; only once it is gone is the row deleted, so a failure changes nothing. An object that
     * another row also points at (two legacy rows given one key by an older mapping) stays: it is that row's image.
     * The variants go before the image (they can be made again, the image cannot), and once more after its row, for a
     * variant that was being made meanwhile.
     */
    public Uni<Void> delete(String id) {
        Ids.requireLookup("id", id);
        return Blocking.call(() -> repository.findById(id))
                .map(found -> found.orElseThrow(() -> notFound(id)))
                .call(row -> variants.deleteAll(row.id()))
                .chain(row -> Blocking.call(() -> row.hasR2Object() && !repository.keySharedWithOther(row.r2Key(), row.id()))
                        .chain(ownObject -> ownObject ? storage.delete(row.r2Key()).replaceWith(row)
                                : Uni.createFrom().item(row)))
                .chain(row -> Blocking.run(() -> repository.delete(row.id())))
                .invoke(() -> rows.invalidate(id))
                .call(() -> variants.deleteAll(id));
    }

    static ApiException notFound(String id) {
        return new ApiException(ErrorCode.IMAGE_NOT_FOUND, "no image with id " + id);
    }

    private Uni<Stored> toR2OrFallback(ImageIntake.Prepared p) {
        NewImageRow b = p.base();
        String key = keys.forImage(b.personaId(), b.id(), p.type().extension());
        String storageClass = classes.storageClassFor(b.createdAt());
        PutObject object = new PutObject(key, p.bytes(), p.type().mimeType(), p.md5Base64(), metadata(b), storageClass);
        NewObjects.Identity identity = new NewObjects.Identity(b.id(), b.sizeBytes(), b.sha256(),
                java.util.HexFormat.of().formatHex(Base64.getDecoder().decode(p.md5Base64())));
        Uni<Stored> put = newObjects.put(object, identity).map(etag -> new Stored(inR2(b, key, storageClass), false))
                .onFailure(ObjectKeyConflictException.class).transform(ImageService::keyConflict);
        if (b.sizeBytes() > config.multipart().threshold()) {
            return put.onFailure(e -> !(e instanceof ApiException)).transform(ImageService::largeImageNotStored);
        }
        return put.onFailure().recoverWithUni(failure -> fallback(p, failure));
    }

    /**
     * The database takes the image only when the store is out; a failure that memory pressure caused (or any that is
     * not the store's) is answered as such, and the base64 copy (a third more than the image, twice over while it is
     * written) must fit the memory budget, or the client is told to retry rather than the heap being run out.
     */
    private Uni<Stored> fallback(ImageIntake.Prepared p, Throwable failure) {
        NewImageRow b = p.base();
        if (causedByMemory(failure)) {
            LOG.warnf("R2 upload of image %s ran out of memory (%s); not stored", b.id(), failure.getMessage());
            return Uni.createFrom().failure(new ApiException(ErrorCode.SERVER_BUSY,
                    "the service is short of memory; nothing was stored, retry shortly", Map.of(), failure));
        }
        if (!storageOutage(failure)) {
            return Uni.createFrom().failure(failure);
        }
        var permit = budget.tryReserve(BASE64_FALLBACK_FACTOR * b.sizeBytes());
        if (permit.isEmpty()) {
            LOG.warnf("R2 upload of image %s failed (%s) and no memory is free for a base64 copy; not stored", b.id(),
                    failure.getMessage());
            return Uni.createFrom().failure(new ApiException(ErrorCode.SERVER_BUSY, "the object store failed and the "
                    + "service has no memory free for the database fallback; nothing was stored, retry shortly",
                    Map.of(), failure));
        }
        LOG.warnf("R2 upload of image %s failed after retries (%s); storing it base64 in the database instead",
                b.id(), failure.getMessage());
        return Uni.createFrom().item(() -> new Stored(asBase64(p, true).row(), true, permit.get()))
                .onFailure().invoke(permit.get()::release);
    }

    static boolean causedByMemory(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return true;
            }
        }
        return false;
    }

    private static boolean storageOutage(Throwable failure) {
        Throwable t = failure;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof StorageException || t instanceof CircuitBreakerOpenException || t instanceof TimeoutException;
    }

    /** Uploads a spooled file in parts; on failure nothing is stored and the client is told to retry later. */
    private Uni<StoredImage> persistLarge(ImageIntake.Prepared p) {
        NewImageRow b = p.base();
        String key = keys.forImage(b.personaId(), b.id(), p.type().extension());
        String storageClass = classes.storageClassFor(b.createdAt());
        var object = new MultipartUploader.LargeObject(key, p.file(), b.sizeBytes(), p.type().mimeType(), metadata(b),
                storageClass);
        // A multipart completion cannot be conditional everywhere: the key is checked before the upload instead.
        return newObjects.checkFree(key, new NewObjects.Identity(b.id(), b.sizeBytes(), b.sha256(), null))
                .onFailure(ObjectKeyConflictException.class).transform(ImageService::keyConflict)
                .chain(() -> uploader.upload(object))
                .onFailure(e -> !(e instanceof ApiException)).transform(ImageService::largeImageNotStored)
                .chain(etag -> write(new Stored(inR2(b, key, storageClass), false), false));
    }

    private static ApiException keyConflict(Throwable failure) {
        LOG.errorf("Image not stored: %s", failure.getMessage());
        return new ApiException(ErrorCode.OBJECT_KEY_CONFLICT, failure.getMessage() + "; nothing was stored");
    }

    private static ApiException largeImageNotStored(Throwable failure) {
        LOG.warnf("R2 upload of a large image failed (%s); nothing was stored", failure.getMessage());
        return new ApiException(ErrorCode.STORAGE_UNAVAILABLE, "the object store failed while taking the image; "
                + "nothing was stored (images above MULTIPART_THRESHOLD have no database fallback)", Map.of(), failure);
    }

    private static Map<String, String> metadata(NewImageRow b) {
        return Map.of(NewObjects.IMAGE_ID, ObjectKeys.metadataValue(b.id()), "persona-id",
                ObjectKeys.metadataValue(b.personaId()), NewObjects.SHA256, b.sha256());
    }

    /** The row of an image whose bytes are in R2 under {@code key}: metadata only. */
    private NewImageRow inR2(NewImageRow b, String key, String storageClass) {
        return b.inR2(key, urls.publicUrl(key).orElse(null), storageClass, b.createdAt());
    }

    private Stored asBase64(ImageIntake.Prepared p, boolean fallback) {
        return new Stored(p.base().inDatabase(ImageBytes.encodeBase64(p.bytes())), fallback);
    }

    /** {@code memory}: the budget held for a base64 copy until its row is written, or null. */
    private record Stored(NewImageRow row, boolean fallback, MemoryPermit memory) {

        Stored(NewImageRow row, boolean fallback) {
            this(row, fallback, null);
        }

        void release() {
            if (memory != null) {
                memory.release();
            }
        }
    }

    private Uni<StoredImage> write(Stored stored, boolean rowExists) {
        NewImageRow row = stored.row();
        Uni<Void> write = Blocking.run(() -> {
            if (!rowExists) {
                repository.insert(row);
            } else if (!repository.completeGenerating(row)) {
                throw new ApiException(ErrorCode.CONFLICT, "image " + row.id() + " is no longer being generated");
            }
            // A generating row is never cached; dropped anyway, so no later rule can make this row stale.
            rows.invalidate(row.id());
        });
        if (row.r2Key() != null) {
            // The object is already in the bucket; without its row nobody would ever find or delete it.
            write = write.onFailure().call(failure -> storage.delete(row.r2Key())
                    .onFailure().invoke(e -> LOG.errorf("Orphaned object %s: row insert failed and delete failed: %s",
                            row.r2Key(), e.getMessage()))
                    .onFailure().recoverWithNull());
        }
        StorageKind kind = row.r2Key() != null ? StorageKind.R2 : StorageKind.BASE64;
        return write.invoke(() -> registry.counter("images.stored", "storage", kind.wire(),
                "fallback", Boolean.toString(stored.fallback())).increment())
                .replaceWith(() -> new StoredImage(row.id(), row.personaId(), row.contentType(), row.sizeBytes(),
                        row.sha256(), kind, row.r2Key(), row.imageUrl(), stored.fallback()));
    }
}
