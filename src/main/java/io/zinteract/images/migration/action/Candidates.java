package io.zinteract.images.migration.action;

import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.image.intake.ImageBytes;
import io.zinteract.images.image.intake.ImageDefect;
import io.zinteract.images.image.intake.ImageStructure;
import io.zinteract.images.image.intake.ImageType;
import io.zinteract.images.migration.job.WorkRow;
import io.zinteract.images.storage.NewObjects;
import io.zinteract.images.storage.ObjectKeyConflictException;
import io.zinteract.images.storage.ObjectKeys;
import io.zinteract.images.storage.StorageClassPolicy;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The first steps of migrating one image, before anything is written: read its base64, decode and check it, sniff
 * the true type, choose its key and make sure no other row holds that key.
 */
@ApplicationScoped
class Candidates {

    private final MigrationRepository images;
    private final ObjectKeys keys;
    private final ServiceConfig service;
    private final StorageClassPolicy classes;

    Candidates(MigrationRepository images, ObjectKeys keys, ServiceConfig service, StorageClassPolicy classes) {
        this.images = images;
        this.keys = keys;
        this.service = service;
        this.classes = classes;
    }

    /** An image read and checked; exactly one of skip, invalid (a key conflict among them) or the payload is set. */
    record Candidate(String id, String skip, String invalid, String base64, byte[] bytes, ImageType type, String key,
            String sha256, byte[] md5, String note, String storageClass, boolean conflict) {
        Candidate(String id, String skip, String invalid, String base64, byte[] bytes, ImageType type, String key,
                String sha256, byte[] md5, String note, String storageClass) {
            this(id, skip, invalid, base64, bytes, type, key, sha256, md5, note, storageClass, false);
        }
    }

    static NewObjects.Identity identity(Candidate c) {
        return new NewObjects.Identity(c.id(), c.bytes().length, c.sha256(), HexFormat.of().formatHex(c.md5()));
    }

    Candidate read(WorkRow row) {
        Optional<MigrationRepository.StoredBytes> stored = images.imageDataBytes(row.id());
        if (stored.isEmpty()) {
            return new Candidate(row.id(), "the row was deleted meanwhile", null, null, null, null, null, null, null, null, null);
        }
        byte[] text = stored.get().imageData();
        if (stored.get().r2Key() != null || text == null || text.length == 0) {
            return new Candidate(row.id(), "the row was migrated or emptied meanwhile", null, null, null, null, null, null, null, null, null);
        }
        // The guarded update compares the column with exactly this value, so it is kept as the String the column holds.
        String base64 = new String(text, StandardCharsets.UTF_8);
        Optional<byte[]> decoded = decode(text, base64);
        if (decoded.isEmpty()) {
            return invalid(row, "image_data is not valid base64");
        }
        byte[] bytes = decoded.get();
        if (bytes.length == 0) {
            return invalid(row, "image_data decodes to no bytes");
        }
        if (bytes.length > service.maxImageBytes()) {
            return invalid(row, "the image is " + bytes.length + " bytes, over MAX_IMAGE_BYTES (" + service.maxImageBytes() + ")");
        }
        Optional<ImageType> sniffed = ImageType.sniff(bytes);
        if (sniffed.isEmpty()) {
            return invalid(row, "image_data is not a JPEG, PNG, WebP, GIF or AVIF image");
        }
        ImageType type = sniffed.get();
        String note = null;
        if (row.imageMimeType() != null && ImageType.fromMimeType(row.imageMimeType()).orElse(null) != type) {
            note = "image_mime_type says " + row.imageMimeType() + "; the content is " + type.mimeType();
        }
        String key = keys.forImage(row.personaId(), row.id(), type.extension());
        Optional<String> owner = images.keyOwner(key, row.id());
        if (owner.isPresent()) {
            return new Candidate(row.id(), null, ObjectKeyConflictException.PREFIX + "object key " + key
                    + " is already the key of image " + owner.get() + "; base64 kept", null, null, null, key, null,
                    null, null, null, true);
        }
        return new Candidate(row.id(), null, null, base64, bytes, type, key, ImageBytes.sha256Hex(bytes), ImageBytes.md5(bytes), note,
                classes.storageClassFor(row.createdAt() == null ? 0 : row.createdAt()));
    }

    /**
     * Why a legacy image would be refused as a new upload, or null. It is migrated all the same (refusing it would
     * block or lose data that is served today); the report lists it under {@code suspicious}.
     */
    String suspicion(Candidate c) {
        try {
            ImageStructure.check(c.type(), c.bytes(), service.maxImagePixels());
            return null;
        } catch (ImageDefect defect) {
            return defect.reason();
        }
    }

    /**
     * Nearly every row is one line of plain base64: decoded from the driver's bytes as they are (a String would be
     * copied into bytes first). A {@code data:} URL, line breaks or corrupt base64 take {@link ImageBytes}' way.
     */
    static Optional<byte[]> decode(byte[] text, String base64) {
        try {
            return Optional.of(Base64.getDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            // A data: URL fails at its ':', a line break at itself: ImageBytes knows both.
            return ImageBytes.decodeBase64(base64);
        }
    }

    private static Candidate invalid(WorkRow row, String reason) {
        return new Candidate(row.id(), null, reason, null, null, null, null, null, null, null, null);
    }
}
