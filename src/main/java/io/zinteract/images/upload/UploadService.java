package io.zinteract.images.upload;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.image.data.Ids;
import io.zinteract.images.image.data.ImageRepository;
import io.zinteract.images.image.data.ImageRowCache;
import io.zinteract.images.image.ImageIntake;
import io.zinteract.images.image.intake.ImageType;
import io.zinteract.images.image.data.NewImageRow;
import io.zinteract.images.image.data.StorageKind;
import io.zinteract.images.image.StoredImage;
import io.zinteract.images.quota.QuotaEndpoint;
import io.zinteract.images.quota.QuotaExceededException;
import io.zinteract.images.quota.QuotaService;
import io.zinteract.images.storage.NewObjects;
import io.zinteract.images.storage.ObjectKeyConflictException;
import io.zinteract.images.storage.ObjectKeys;
import io.zinteract.images.storage.model.PresignedPut;
import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.storage.R2Urls;
import io.zinteract.images.variant.VariantService;
import io.zinteract.images.storage.StorageClassPolicy;
import io.zinteract.images.storage.StorageException;
import io.zinteract.images.upload.PendingUpload.Status;
import io.zinteract.images.upload.UploadVerifier.Verified;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
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
    private final VariantService variants;
    private final ImageRepository images;
    private final ImageRowCache rows;
    private final UploadChecks checks;
    private final UploadVerifier verifier;
    private final R2Storage storage;
    private final R2Urls urls;
    private final ObjectKeys keys;
    private final UploadConfig config;
    private final MeterRegistry registry;
    private final NewObjects newObjects;
    private final QuotaService quota;

    public UploadService(PendingUploadRepository uploads, ImageRepository images, ImageRowCache rows,
            UploadChecks checks, UploadVerifier verifier, R2Storage storage, R2Urls urls, ObjectKeys keys,
            UploadConfig config, MeterRegistry registry, NewObjects newObjects, VariantService variants,
            QuotaService quota) {
        this.quota = quota;
        this.rows = rows;
        this.variants = variants;
        this.newObjects = newObjects;
        this.uploads = uploads;
        this.images = images;
        this.checks = checks;
        this.verifier = verifier;
        this.storage = storage;
        this.urls = urls;
        this.keys = keys;
        this.config = config;
        this.registry = registry;
    }

    /**
     * A new upload and its URL; nothing is written to the bucket until the client PUTs. Its declared size is reserved
     * under the quotas from now until it can no longer be completed, so the room it was promised stays its own.
     */
    public Uni<Created> create(UploadRequest request) {
        return Blocking.call(() -> {
            UploadChecks.Declared d = checks.check(request);
            String uploadId = UUID.randomUUID().toString();
            String imageId = UUID.randomUUID().toString();
            String uploadKey = keys.forUpload(uploadId);
            long now = now();
            PresignedPut url = urls.presignPut(uploadKey, d.type().mimeType(), d.size(), d.md5(), config.presignTtl());
            var f = d.fields();
            PendingUpload stored = new PendingUpload(uploadId, imageId, keys.forImage(f.personaId(), imageId,
                    d.type().extension()), uploadKey, f.personaId(), f.personaTitle(), f.prompt(), f.sessionId(),
                    f.participantId(), f.tableId(), f.provider(), d.type().mimeType(), d.size(), d.md5(),
                    Status.PENDING, null, now, url.expiresAt().getEpochSecond(), now);
            long completable = stored.expiresAt() + config.completeGrace().toSeconds() + CLAIM_LEASE.toSeconds();
            boolean held = quota.reserve(new QuotaService.Claim(imageId, f.sessionId(), f.personaId(), d.size(),
                    completable), QuotaEndpoint.PRESIGNED_CREATE).held();
            try {
                uploads.insert(stored);
            } catch (RuntimeException e) {
                if (held) {
                    quota.release(imageId);
                }
                throw e;
            }
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
            return verifier.verify(upload).call(verified -> Blocking.run(() -> confirmQuota(upload, verified)))
                    .chain(verified -> store(upload, verified))
                    .onFailure().recoverWithUni(failure -> settle(upload, failure)
                            .chain(chosen -> Uni.createFrom().<Completion>failure(chosen)));
        });
    }

    /**
     * The verified image against the quotas once more, just before it is copied: its reservation from creation
     * normally covers it, but a cap lowered meanwhile, or a reservation that expired, can leave no room. Then the
     * completion is refused like a rejected object: the uploaded object is deleted and the upload closed, so that
     * nothing is stored and no object waits for a room that may never come (request a new upload after deleting images).
     */
    private void confirmQuota(PendingUpload upload, Verified verified) {
        quota.reserve(QuotaService.Claim.held(upload.imageId(), upload.sessionId(), upload.personaId(), verified.size()),
                QuotaEndpoint.PRESIGNED_COMPLETE);
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
        NewImageRow row = NewImageRow.received(upload.imageId(), new NewImageRow.Owner(upload.personaId(),
                upload.personaTitle(), upload.prompt(), upload.sessionId(), upload.participantId(), upload.tableId(),
                upload.provider()), now, new NewImageRow.Content(verified.type().mimeType(), verified.size(),
                verified.sha256())).inR2(upload.objectKey(), urls.publicUrl(upload.objectKey()).orElse(null),
                StorageClassPolicy.STANDARD, now);
        // A copy cannot carry If-None-Match on every store: the image's key is checked just before it instead.
        return newObjects.checkFree(upload.objectKey(), identity)
                .onFailure(ObjectKeyConflictException.class)
                .transform(e -> new ApiException(ErrorCode.OBJECT_KEY_CONFLICT, e.getMessage() + "; nothing was stored"))
                .chain(() -> storage.copyIfUnchanged(upload.uploadKey(), verified.etag(), upload.objectKey(),
                        verified.type().mimeType(), metadata))
                .onFailure(e -> e instanceof StorageException s && s.status() == 412)
                .transform(e -> UploadVerifier.changed(upload))
                .chain(() -> Blocking.call(() -> uploads.complete(upload.id(), row, now())))
                // A new row: lookups that found nothing were not kept, so this only guards against later rules.
                .invoke(() -> rows.invalidate(row.id()))
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
                    variants.schedule(row.id(), null);
                    return quota.releaseLater(upload.imageId()).chain(() -> deleteQuietly(upload.uploadKey()));
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
        if (failure instanceof UploadRejected || failure instanceof QuotaExceededException) {
            ApiException rejected = (ApiException) failure;
            registry.counter("uploads.rejected", "code", rejected.code().name()).increment();
            return storage.delete(upload.uploadKey())
                    .chain(() -> Blocking.call(() -> uploads.close(upload.id(), Status.REJECTED,
                            rejected.code().name() + ": " + rejected.getMessage(), now())))
                    .call(() -> quota.releaseLater(upload.imageId()))
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
                .call(() -> quota.releaseLater(upload.imageId()))
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
