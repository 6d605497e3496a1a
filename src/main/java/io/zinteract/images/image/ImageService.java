package io.zinteract.images.image;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.admission.MemoryBudget;
import io.zinteract.images.admission.MemoryPermit;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.storage.MultipartUploader;
import io.zinteract.images.storage.NewObjects;
import io.zinteract.images.storage.ObjectKeyConflictException;
import io.zinteract.images.storage.ObjectKeys;
import io.zinteract.images.storage.PutObject;
import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.storage.R2Urls;
import io.zinteract.images.storage.StorageException;
import io.zinteract.images.storage.StorageClassPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

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
    static final int MAX_PROMPT = 4000;
    static final int MAX_TITLE = 200;
    /** Held per byte of an image stored base64: the string (4/3) and its encoded form bound to the statement. */
    static final int BASE64_FALLBACK_FACTOR = 3;
    static final Set<String> PROVIDERS = Set.of("openai", "stability", "midjourney", "placeholder");

    private final ImageRepository repository;
    private final R2Storage storage;
    private final R2Urls urls;
    private final ObjectKeys keys;
    private final ServiceConfig config;
    private final MeterRegistry registry;
    private final MultipartUploader uploader;
    private final StorageClassPolicy classes;
    private final NewObjects newObjects;
    private final MemoryBudget budget;

    public ImageService(ImageRepository repository, R2Storage storage, R2Urls urls, ObjectKeys keys,
            ServiceConfig config, MeterRegistry registry, MultipartUploader uploader, StorageClassPolicy classes,
            NewObjects newObjects, MemoryBudget budget) {
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

    /** Validates, stores the bytes in R2 or the database by the flag, and writes the row. */
    public Uni<StoredImage> store(ImageUpload upload) {
        return Blocking.call(() -> prepare(upload))
                .chain(prepared -> prepared.file() != null ? persistLarge(prepared) : persist(prepared, false));
    }

    /**
     * Stores the bytes for a row that already exists in status {@code generating} (written before the provider was
     * called) and completes it; the row's other fields stay as they are.
     */
    public Uni<StoredImage> completeGenerating(NewImageRow pending, byte[] bytes) {
        return Blocking.call(() -> {
            checkSize(bytes.length);
            ImageType type = ImageType.sniff(bytes).orElseThrow(() -> new ApiException(ErrorCode.NOT_AN_IMAGE,
                    "the generated content is not a JPEG, PNG, WebP, GIF or AVIF image"));
            try {
                ImageStructure.check(type, bytes, config.maxImagePixels());
            } catch (ImageDefect defect) {
                // The provider's fault, not the client's: a 502 that names what was wrong with the image.
                throw new ApiException(ErrorCode.PROVIDER_FAILED, "the generated image was refused ("
                        + defect.kind().code().name() + "): " + defect.getMessage(),
                        Map.of("reason", defect.kind().code().name()));
            }
            NewImageRow base = new NewImageRow(pending.id(), pending.sessionId(), pending.participantId(),
                    pending.tableId(), pending.personaId(), pending.personaTitle(), null, null, type.mimeType(),
                    pending.prompt(), pending.provider(), "completed", null, "pending", null, pending.createdAt(),
                    type.mimeType(), bytes.length, ImageBytes.sha256Hex(bytes), null);
            return new Prepared(base, bytes, null, type, Base64.getEncoder().encodeToString(ImageBytes.md5(bytes)));
        }).chain(prepared -> persist(prepared, true));
    }

    private Uni<StoredImage> persist(Prepared prepared, boolean rowExists) {
        Uni<Stored> stored = config.enableR2Storage() ? toR2OrFallback(prepared)
                : Uni.createFrom().item(asBase64(prepared, false));
        return stored.chain(s -> write(s, rowExists).onTermination().invoke(s::release));
    }

    /**
     * Deletes the object first; only once it is gone is the row deleted, so a failure changes nothing. An object that
     * another row also points at (two legacy rows given one key by an older mapping) stays: it is that row's image.
     */
    public Uni<Void> delete(String id) {
        Ids.requireLookup("id", id);
        return Blocking.call(() -> repository.findById(id))
                .map(found -> found.orElseThrow(() -> notFound(id)))
                .chain(row -> Blocking.call(() -> row.hasR2Object() && !repository.keySharedWithOther(row.r2Key(), row.id()))
                        .chain(ownObject -> ownObject ? storage.delete(row.r2Key()).replaceWith(row)
                                : Uni.createFrom().item(row)))
                .chain(row -> Blocking.run(() -> repository.delete(row.id())));
    }

    static ApiException notFound(String id) {
        return new ApiException(ErrorCode.IMAGE_NOT_FOUND, "no image with id " + id);
    }

    /**
     * The validated image with its digests, ready to be stored: in memory ({@code bytes}, with its MD5), or, above the
     * multipart threshold, left in its spooled {@code file}.
     */
    record Prepared(NewImageRow base, byte[] bytes, Path file, ImageType type, String md5Base64) {
    }

    /** The row's fields, checked; the same rules for uploads, ingests and generations. */
    public record Fields(String personaId, String personaTitle, String prompt, String sessionId, String participantId,
            String tableId, String provider) {
    }

    public Fields validateFields(String personaId, String personaTitle, String prompt, String sessionId,
            String participantId, String tableId, String provider) {
        String persona = Ids.require("personaId", personaId);
        if (prompt == null || prompt.isBlank()) {
            throw new ApiException(ErrorCode.MISSING_FIELD, "prompt is required");
        }
        if (prompt.length() > MAX_PROMPT) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "prompt is longer than " + MAX_PROMPT + " characters");
        }
        String title = personaTitle == null || personaTitle.isBlank() ? persona : personaTitle.trim();
        if (title.length() > MAX_TITLE) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "personaTitle is longer than " + MAX_TITLE + " characters");
        }
        String chosen = provider == null || provider.isBlank() ? "placeholder" : provider;
        if (!PROVIDERS.contains(chosen)) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "provider must be one of " + new java.util.TreeSet<>(PROVIDERS));
        }
        return new Fields(persona, title, prompt, Ids.optional("sessionId", sessionId),
                Ids.optional("participantId", participantId), Ids.optional("tableId", tableId), chosen);
    }

    Prepared prepare(ImageUpload in) {
        Fields f = validateFields(in.personaId(), in.personaTitle(), in.prompt(), in.sessionId(), in.participantId(),
                in.tableId(), in.provider());
        long size = sizeOf(in);
        checkSize(size);
        if (in.file() != null && size > config.multipart().threshold()) {
            return prepareLarge(f, in, size);
        }
        byte[] bytes = readBounded(in, size);
        ImageType type = sniffAgainstDeclared(bytes, in.declaredType());
        checkStructure(() -> ImageStructure.check(type, bytes, config.maxImagePixels()));
        String id = UUID.randomUUID().toString();
        long now = Instant.now().getEpochSecond();
        NewImageRow base = new NewImageRow(id, f.sessionId(), f.participantId(), f.tableId(), f.personaId(),
                f.personaTitle(), null, null, type.mimeType(), f.prompt(), f.provider(), "completed", null, "pending",
                null, now, type.mimeType(),
                bytes.length, ImageBytes.sha256Hex(bytes), null);
        return new Prepared(base, bytes, null, type, Base64.getEncoder().encodeToString(ImageBytes.md5(bytes)));
    }

    /** The type from the file's first bytes, the SHA-256 from one streaming pass: the file itself stays on disk. */
    private Prepared prepareLarge(Fields f, ImageUpload in, long size) {
        if (!config.enableR2Storage()) {
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "images above " + config.multipart().threshold()
                    + " bytes (MULTIPART_THRESHOLD) are only stored in R2, and ENABLE_R2_STORAGE is off",
                    Map.of("maxBytes", config.multipart().threshold()));
        }
        ImageType type = sniffAgainstDeclared(ImageBytes.head(in.file(), ImageType.SNIFF_BYTES), in.declaredType());
        checkStructure(() -> ImageStructure.check(type, in.file(), config.maxImagePixels()));
        String id = UUID.randomUUID().toString();
        long now = Instant.now().getEpochSecond();
        NewImageRow base = new NewImageRow(id, f.sessionId(), f.participantId(), f.tableId(), f.personaId(),
                f.personaTitle(), null, null, type.mimeType(), f.prompt(), f.provider(), "completed", null, "pending",
                null, now, type.mimeType(), size, ImageBytes.sha256Hex(in.file()), null);
        return new Prepared(base, null, in.file(), type, null);
    }

    /** Uploads, ingests and generations all pass here: a defective image becomes its own 422 and nothing is stored. */
    private static void checkStructure(Runnable check) {
        try {
            check.run();
        } catch (ImageDefect defect) {
            throw defect.problem();
        }
    }

    private void checkSize(long size) {
        long max = config.maxImageBytes();
        if (size > max) {
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "image is " + size + " bytes; the limit is " + max,
                    Map.of("maxBytes", max));
        }
        if (size == 0) {
            throw new ApiException(ErrorCode.NOT_AN_IMAGE, "the image is empty");
        }
    }

    private static long sizeOf(ImageUpload in) {
        try {
            return in.bytes() != null ? in.bytes().length : in.file() == null ? 0 : Files.size(in.file());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads the spooled body with a plain file stream into one array of its size. Not {@code Files.readAllBytes}: NIO
     * reads go through a temporary direct buffer as large as the file, which each worker thread then caches until it
     * exits, so idle threads kept a copy of their last image outside the heap.
     */
    private static byte[] readBounded(ImageUpload in, long size) {
        if (in.bytes() != null) {
            return in.bytes();
        }
        try (InputStream file = new FileInputStream(in.file().toFile())) {
            byte[] bytes = file.readNBytes((int) size);
            if (bytes.length != size || file.read() >= 0) {
                throw new IOException("the spooled upload changed size while it was read");
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The type is what the bytes say; a client that declared a different image type is told so rather than believed. */
    static ImageType sniffAgainstDeclared(byte[] bytes, String declared) {
        ImageType sniffed = ImageType.sniff(bytes).orElseThrow(() -> new ApiException(ErrorCode.NOT_AN_IMAGE,
                "the content is not a JPEG, PNG, WebP, GIF or AVIF image"));
        String base = declared == null ? "" : declared.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (base.isEmpty() || base.equals("application/octet-stream")) {
            return sniffed;
        }
        if (!base.startsWith("image/")) {
            throw new ApiException(ErrorCode.NOT_AN_IMAGE, "declared type " + base + " is not an image type");
        }
        ImageType claimed = ImageType.fromMimeType(base).orElseThrow(() -> new ApiException(
                ErrorCode.UNSUPPORTED_MEDIA_TYPE, "image type " + base + " is not supported"));
        if (claimed != sniffed) {
            throw new ApiException(ErrorCode.CONTENT_TYPE_MISMATCH,
                    "declared " + claimed.mimeType() + " but the content is " + sniffed.mimeType());
        }
        return sniffed;
    }

    private Uni<Stored> toR2OrFallback(Prepared p) {
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
    private Uni<Stored> fallback(Prepared p, Throwable failure) {
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
    private Uni<StoredImage> persistLarge(Prepared p) {
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
        return new NewImageRow(b.id(), b.sessionId(), b.participantId(), b.tableId(), b.personaId(), b.personaTitle(),
                urls.publicUrl(key).orElse(null), null, b.imageMimeType(), b.prompt(), b.provider(), b.status(), key,
                "completed", b.createdAt(), b.createdAt(), b.contentType(), b.sizeBytes(), b.sha256(), storageClass);
    }

    private Stored asBase64(Prepared p, boolean fallback) {
        NewImageRow b = p.base();
        return new Stored(new NewImageRow(b.id(), b.sessionId(), b.participantId(), b.tableId(), b.personaId(),
                b.personaTitle(), null, ImageBytes.encodeBase64(p.bytes()), b.imageMimeType(), b.prompt(), b.provider(),
                b.status(), null, "pending", null, b.createdAt(), b.contentType(), b.sizeBytes(), b.sha256(), null),
                fallback);
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
