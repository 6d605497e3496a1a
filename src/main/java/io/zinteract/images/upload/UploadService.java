package io.zinteract.images.upload;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.image.Ids;
import io.zinteract.images.image.ImageRepository;
import io.zinteract.images.image.ImageIntake;
import io.zinteract.images.image.intake.ImageType;
import io.zinteract.images.image.NewImageRow;
import io.zinteract.images.image.StorageKind;
import io.zinteract.images.image.StoredImage;
import io.zinteract.images.storage.NewObjects;
import io.zinteract.images.storage.ObjectKeyConflictException;
import io.zinteract.images.storage.ObjectKeys;
import io.zinteract.images.storage.model.PresignedPut;
import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.storage.R2Urls;
import io.zinteract.images.storage.StorageException;
import io.zinteract.images.upload.PendingUpload.Status;
import io.zinteract.images.upload.UploadVerifier.Verified;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/**
 * Presigned uploads: hands out a PUT URL for a staging key, and on completion verifies the object there, copies it
 * to the image's key and writes the row. The row never exists before the object was checked, and a rejected object
 * is deleted. Each upload is held by one completion at a time (a conditional update), so concurrent or repeated
 * completions cannot write two rows; completing a completed upload answers its image again.
 */
@ApplicationScoped
public class UploadService {

    private static final Logger LOG = Logger.getLogger(UploadService.class);
    /** A completion silent this long is taken to have died; its upload may be claimed again. */
    static final Duration CLAIM_LEASE = Duration.ofMinutes(10);

    private final PendingUploadRepository uploads;
    private final ImageRepository images;
    private final ImageIntake intake;
    private final UploadVerifier verifier;
    private final R2Storage storage;
    private final R2Urls urls;
    private final ObjectKeys keys;
    private final ServiceConfig service;
    private final UploadConfig config;
    private final MeterRegistry registry;
    private final NewObjects newObjects;

    public UploadService(PendingUploadRepository uploads, ImageRepository images, ImageIntake intake,
            UploadVerifier verifier, R2Storage storage, R2Urls urls, ObjectKeys keys, ServiceConfig service, UploadConfig config,
            MeterRegistry registry, NewObjects newObjects) {
        this.newObjects = newObjects;
        this.uploads = uploads;
        this.images = images;
        this.intake = intake;
        this.verifier = verifier;
        this.storage = storage;
        this.urls = urls;
        this.keys = keys;
        this.service = service;
        this.config = config;
        this.registry = registry;
    }

    /** A new upload and its URL; nothing is written to the bucket until the client PUTs. */
    public Uni<Created> create(UploadRequest request) {
        return Blocking.call(() -> {
            PendingUpload upload = validate(request);
            PresignedPut url = urls.presignPut(upload.uploadKey(), upload.contentType(), upload.sizeBytes(),
                    upload.contentMd5(), config.presignTtl());
            PendingUpload stored = new PendingUpload(upload.id(), upload.imageId(), upload.objectKey(),
                    upload.uploadKey(), upload.personaId(), upload.personaTitle(), upload.prompt(), upload.sessionId(),
                    upload.participantId(), upload.tableId(), upload.provider(), upload.contentType(),
                    upload.sizeBytes(), upload.contentMd5(), Status.PENDING, null, upload.createdAt(),
                    url.expiresAt().getEpochSecond(), upload.createdAt());
            uploads.insert(stored);
            registry.counter("uploads.presigned").increment();
            return new Created(stored, url);
        });
    }

    /** An upload and its presigned URL. */
    public record Created(PendingUpload upload, PresignedPut url) {
    }

    /** The image of a completed upload; {@code created} is false when an earlier completion had made it. */
    public record Completion(StoredImage image, boolean created) {
    }

    public Uni<PendingUpload> find(String uploadId) {
        Ids.require("uploadId", uploadId);
        return Blocking.call(() -> uploads.find(uploadId).orElseThrow(() -> notFound(uploadId)));
    }

    public Uni<Completion> complete(String uploadId) {
        Ids.require("uploadId", uploadId);
        return Blocking.call(() -> take(uploadId)).chain(taken -> {
            if (taken.done() != null) {
                // A completion that died after writing the row left its staging object: delete it now.
                return deleteQuietly(keys.forUpload(uploadId)).replaceWith(taken.done());
            }
            PendingUpload upload = taken.upload();
            if (now() > upload.expiresAt() + config.completeGrace().toSeconds()) {
                return expire(upload);
            }
            return verifier.verify(upload).chain(verified -> store(upload, verified))
                    .onFailure().recoverWithUni(failure -> settle(upload, failure)
                            .chain(chosen -> Uni.createFrom().<Completion>failure(chosen)));
        });
    }

    private record Taken(PendingUpload upload, Completion done) {
    }

    /** Claims the upload for this completion, or answers at once when its fate is already decided. */
    private Taken take(String uploadId) {
        PendingUpload upload = uploads.find(uploadId).orElseThrow(() -> notFound(uploadId));
        long now = now();
        if (upload.status() == Status.PENDING || upload.status() == Status.VERIFYING) {
            if (uploads.claim(uploadId, now, now - CLAIM_LEASE.toSeconds())) {
                return new Taken(upload, null);
            }
            upload = uploads.find(uploadId).orElseThrow(() -> notFound(uploadId));
        }
        return switch (upload.status()) {
            case COMPLETED -> new Taken(null, new Completion(existingImage(upload), false));
            case REJECTED -> throw new ApiException(ErrorCode.UPLOAD_REJECTED, "upload " + uploadId + " was rejected ("
                    + upload.failureReason() + "); request a new upload", Map.of("uploadId", uploadId));
            case EXPIRED -> throw expired(upload);
            default -> throw new ApiException(ErrorCode.UPLOAD_IN_PROGRESS, "another request is completing upload "
                    + uploadId + "; try again in a moment", Map.of("uploadId", uploadId));
        };
    }

    /** Copies the verified object to the image's key, then writes the row; the staging object goes last. */
    private Uni<Completion> store(PendingUpload upload, Verified verified) {
        Map<String, String> metadata = Map.of(NewObjects.IMAGE_ID, ObjectKeys.metadataValue(upload.imageId()),
                "persona-id", ObjectKeys.metadataValue(upload.personaId()), NewObjects.SHA256, verified.sha256());
        NewObjects.Identity identity = new NewObjects.Identity(upload.imageId(), verified.size(), verified.sha256(),
                null);
        long now = now();
        NewImageRow row = new NewImageRow(upload.imageId(), upload.sessionId(), upload.participantId(),
                upload.tableId(), upload.personaId(), upload.personaTitle(),
                urls.publicUrl(upload.objectKey()).orElse(null), null, verified.type().mimeType(), upload.prompt(),
                upload.provider(), "completed", upload.objectKey(), "completed", now, now, verified.type().mimeType(),
                verified.size(), verified.sha256(), "STANDARD");
        // A copy cannot carry If-None-Match on every store: the image's key is checked just before it instead.
        return newObjects.checkFree(upload.objectKey(), identity)
                .onFailure(ObjectKeyConflictException.class)
                .transform(e -> new ApiException(ErrorCode.OBJECT_KEY_CONFLICT, e.getMessage() + "; nothing was stored"))
                .chain(() -> storage.copyIfUnchanged(upload.uploadKey(), verified.etag(), upload.objectKey(),
                        verified.type().mimeType(), metadata))
                .onFailure(e -> e instanceof StorageException s && s.status() == 412)
                .transform(e -> UploadVerifier.changed(upload))
                .chain(() -> Blocking.call(() -> uploads.complete(upload.id(), row, now())))
                .onFailure(e -> !(e instanceof ApiException))
                .call(e -> storage.delete(upload.objectKey()).onFailure().invoke(d -> LOG.errorf(
                        "Orphaned object %s: the row of upload %s failed and the delete failed: %s",
                        upload.objectKey(), upload.id(), d.getMessage())).onFailure().recoverWithNull())
                .chain(written -> {
                    if (!written) {
                        // A completion that outlived its lease lost the upload to another, which wrote the row.
                        throw new ApiException(ErrorCode.UPLOAD_IN_PROGRESS, "upload " + upload.id()
                                + " was completed by another request", Map.of("uploadId", upload.id()));
                    }
                    registry.counter("images.stored", "storage", StorageKind.R2.wire(), "fallback", "false").increment();
                    return deleteQuietly(upload.uploadKey());
                })
                .replaceWith(() -> new Completion(new StoredImage(row.id(), row.personaId(), row.contentType(),
                        row.sizeBytes(), row.sha256(), StorageKind.R2, row.r2Key(), row.imageUrl(), false), true));
    }

    /**
     * After a failed completion: a rejected object is deleted and the upload closed (if the delete fails, the
     * upload is given back so a later completion deletes it); any other failure gives the upload back. Yields the
     * failure to answer with.
     */
    private Uni<Throwable> settle(PendingUpload upload, Throwable failure) {
        if (failure instanceof UploadRejected rejected) {
            registry.counter("uploads.rejected", "code", rejected.code().name()).increment();
            return storage.delete(upload.uploadKey())
                    .chain(() -> Blocking.call(() -> uploads.close(upload.id(), Status.REJECTED,
                            rejected.code().name() + ": " + rejected.getMessage(), now())))
                    .replaceWith((Throwable) rejected)
                    .onFailure().recoverWithUni(e -> release(upload).replaceWith(e));
        }
        return release(upload).replaceWith(failure);
    }

    private Uni<Void> release(PendingUpload upload) {
        return Blocking.run(() -> uploads.release(upload.id(), now()))
                .onFailure().invoke(e -> LOG.warnf("Upload %s stays claimed until its lease ends: %s", upload.id(),
                        e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /** Too late: whatever was uploaded is deleted (an R2 lifecycle rule on uploads/ is the backstop) and 410. */
    private Uni<Completion> expire(PendingUpload upload) {
        return deleteQuietly(upload.uploadKey())
                .chain(() -> Blocking.call(() -> uploads.close(upload.id(), Status.EXPIRED, null, now())))
                .chain(closed -> Uni.createFrom().<Completion>failure(expired(upload)));
    }

    private Uni<Void> deleteQuietly(String key) {
        return storage.delete(key).onFailure().invoke(e -> LOG.warnf("Staging object %s not deleted: %s", key,
                e.getMessage())).onFailure().recoverWithNull();
    }

    private StoredImage existingImage(PendingUpload upload) {
        var row = images.findById(upload.imageId()).orElseThrow(() -> new ApiException(ErrorCode.IMAGE_NOT_FOUND,
                "upload " + upload.id() + " was completed, but its image " + upload.imageId() + " has been deleted"));
        long size = row.sizeBytes() == null ? 0 : row.sizeBytes();
        return new StoredImage(row.id(), row.personaId(), row.effectiveContentType(), size, row.sha256(),
                row.storage(), row.r2Key(), row.hasR2Object() ? urls.publicUrl(row.r2Key()).orElse(null) : null,
                false);
    }

    private PendingUpload validate(UploadRequest r) {
        if (!service.enableR2Storage()) {
            throw new ApiException(ErrorCode.R2_STORAGE_DISABLED, "presigned uploads go to R2, and this service "
                    + "stores new images in the database (ENABLE_R2_STORAGE=false); use POST /api/images");
        }
        if (storage.sseC()) {
            // A browser cannot send the customer key, so its PUT would store plaintext beside encrypted images.
            throw new ApiException(ErrorCode.PRESIGNED_UPLOADS_DISABLED, "presigned uploads cannot carry the SSE-C key "
                    + "(R2_SSE_C_KEY is set); use POST /api/images");
        }
        if (r == null) {
            throw new ApiException(ErrorCode.MISSING_FIELD, "a JSON body is required");
        }
        var f = intake.validateFields(r.personaId(), r.personaTitle(), r.prompt(), r.sessionId(),
                r.participantId(), r.tableId(), r.provider());
        ImageType type = declaredType(r.contentType());
        long size = declaredSize(r.size());
        String md5 = declaredMd5(r.contentMd5());
        String uploadId = UUID.randomUUID().toString();
        String imageId = UUID.randomUUID().toString();
        long now = now();
        return new PendingUpload(uploadId, imageId, keys.forImage(f.personaId(), imageId, type.extension()),
                keys.forUpload(uploadId), f.personaId(), f.personaTitle(), f.prompt(), f.sessionId(),
                f.participantId(), f.tableId(), f.provider(), type.mimeType(), size, md5, Status.PENDING, null, now,
                0, now);
    }

    private static ImageType declaredType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            throw new ApiException(ErrorCode.MISSING_FIELD, "contentType is required");
        }
        String base = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (!base.startsWith("image/")) {
            throw new ApiException(ErrorCode.NOT_AN_IMAGE, "contentType " + base + " is not an image type");
        }
        return ImageType.fromMimeType(base).orElseThrow(() -> new ApiException(ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "image type " + base + " is not supported (JPEG, PNG, WebP, GIF or AVIF)"));
    }

    private long declaredSize(Long size) {
        if (size == null) {
            throw new ApiException(ErrorCode.MISSING_FIELD, "size is required: the exact length in bytes");
        }
        long max = service.maxImageBytes();
        if (size > max) {
            throw new ApiException(ErrorCode.PAYLOAD_TOO_LARGE, "image is " + size + " bytes; the limit is " + max,
                    Map.of("maxBytes", max));
        }
        if (size < 1) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "size must be at least 1");
        }
        return size;
    }

    private static String declaredMd5(String md5) {
        if (md5 == null || md5.isEmpty()) {
            return null;
        }
        try {
            if (Base64.getDecoder().decode(md5).length == 16) {
                return md5;
            }
        } catch (IllegalArgumentException ignored) {
            // reported below
        }
        throw new ApiException(ErrorCode.INVALID_REQUEST, "contentMd5 must be the base64 of a 16-byte MD5 digest");
    }

    private static ApiException notFound(String uploadId) {
        return new ApiException(ErrorCode.UPLOAD_NOT_FOUND, "no upload with id " + uploadId);
    }

    private static ApiException expired(PendingUpload upload) {
        return new ApiException(ErrorCode.UPLOAD_EXPIRED, "upload " + upload.id() + " expired at "
                + Instant.ofEpochSecond(upload.expiresAt()) + "; request a new upload", Map.of("uploadId", upload.id()));
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }
}
