package io.zinteract.images.upload;

import io.zinteract.images.image.intake.ImageDefect;
import io.zinteract.images.image.intake.ImageBytes;
import io.zinteract.images.image.intake.ImageStructure;
import io.zinteract.images.image.intake.ImageType;
import io.zinteract.images.storage.model.ObjectHead;
import io.zinteract.images.storage.R2Storage;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.config.ServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks what a client PUT through a presigned URL before any row exists: the object is there (HEAD), has the
 * declared size, starts like the declared image type (a ranged GET of the first bytes, so a wrong file is refused
 * without downloading it), and finally its digests over the whole body. The body is read into memory: its size was
 * signed into the URL and checked above, and is at most {@code MAX_IMAGE_BYTES}.
 */
@ApplicationScoped
public class UploadVerifier {

    /** A single-part upload's ETag is the hex MD5 of its body; anything else (multipart, SSE-C) cannot be compared. */
    private static final Pattern MD5_ETAG = Pattern.compile("[0-9a-fA-F]{32}");

    private final R2Storage storage;
    private final long maxPixels;

    public UploadVerifier(R2Storage storage, ServiceConfig service) {
        this.storage = storage;
        this.maxPixels = service.maxImagePixels();
    }

    /** What was verified: the object's format and digests, and the ETag that names exactly these bytes. */
    record Verified(ImageType type, long size, String sha256, String etag) {
    }

    Uni<Verified> verify(PendingUpload upload) {
        ImageType declared = ImageType.fromMimeType(upload.contentType()).orElseThrow();
        return storage.head(upload.uploadKey())
                .map(head -> checkSize(upload, head.orElseThrow(() -> missing(upload))))
                .call(head -> storage.readPrefix(upload.uploadKey(), ImageType.SNIFF_BYTES)
                        .invoke(prefix -> checkType(declared, prefix.orElseThrow(() -> missing(upload)))))
                .chain(head -> storage.getBytes(upload.uploadKey())
                        .chain(body -> Blocking.call(() -> digest(upload, declared, head,
                                body.orElseThrow(() -> missing(upload)), maxPixels))));
    }

    private static ObjectHead checkSize(PendingUpload upload, ObjectHead head) {
        checkSize(upload, head.size());
        return head;
    }

    private static void checkSize(PendingUpload upload, long actual) {
        if (actual != upload.sizeBytes()) {
            throw new UploadRejected(ErrorCode.UPLOAD_SIZE_MISMATCH, "declared " + upload.sizeBytes()
                    + " bytes but the object has " + actual, Map.of("declaredSize", upload.sizeBytes(), "actualSize", actual));
        }
    }

    private static void checkType(ImageType declared, byte[] head) {
        ImageType actual = ImageType.sniff(head).orElseThrow(() -> new UploadRejected(ErrorCode.UPLOAD_NOT_AN_IMAGE,
                "the uploaded object is not a JPEG, PNG, WebP, GIF or AVIF image", Map.of()));
        if (actual != declared) {
            throw new UploadRejected(ErrorCode.UPLOAD_TYPE_MISMATCH, "declared " + declared.mimeType()
                    + " but the object is " + actual.mimeType(),
                    Map.of("declaredType", declared.mimeType(), "actualType", actual.mimeType()));
        }
    }

    /** Runs on a worker thread: hashing up to MAX_IMAGE_BYTES would stall the event loop. */
    private static Verified digest(PendingUpload upload, ImageType declared, ObjectHead head, byte[] body,
            long maxPixels) {
        checkSize(upload, body.length);
        checkType(declared, body);
        try {
            ImageStructure.check(declared, body, maxPixels);
        } catch (ImageDefect defect) {
            throw new UploadRejected(defect.kind().code(), defect.getMessage(), Map.of());
        }
        byte[] md5 = ImageBytes.md5(body);
        if (head.etag() != null && MD5_ETAG.matcher(head.etag()).matches()
                && !head.etag().equalsIgnoreCase(HexFormat.of().formatHex(md5))) {
            // Someone PUT other bytes of the same length between the HEAD and the GET: verify again from the start.
            throw changed(upload);
        }
        if (upload.contentMd5() != null && !upload.contentMd5().equals(Base64.getEncoder().encodeToString(md5))) {
            throw new UploadRejected(ErrorCode.UPLOAD_CHECKSUM_MISMATCH, "the object's MD5 is not the declared "
                    + upload.contentMd5(), Map.of());
        }
        return new Verified(declared, body.length, ImageBytes.sha256Hex(body), head.etag());
    }

    static ApiException missing(PendingUpload upload) {
        return new ApiException(ErrorCode.UPLOAD_OBJECT_MISSING, "nothing has been uploaded for upload " + upload.id()
                + " yet: PUT the bytes to its URL first", Map.of("uploadId", upload.id()));
    }

    static ApiException changed(PendingUpload upload) {
        return new ApiException(ErrorCode.UPLOAD_OBJECT_CHANGED, "the object of upload " + upload.id()
                + " was replaced while it was verified; complete it again", Map.of("uploadId", upload.id()));
    }
}
