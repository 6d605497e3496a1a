package io.zinteract.images.image;

import io.zinteract.images.image.data.Ids;
import io.zinteract.images.image.data.NewImageRow;
import io.zinteract.images.image.intake.ImageDefect;
import io.zinteract.images.image.intake.ImageBytes;
import io.zinteract.images.image.intake.ImageStructure;
import io.zinteract.images.image.intake.ImageType;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What every image passes before anything is stored (uploads, ingests, presigned completions, generations): the row's
 * fields, the size, the type the bytes show against the type declared, and the structure of the image itself. A
 * refusal here is a 4xx and nothing has been written.
 */
@ApplicationScoped
public class ImageIntake {

    static final int MAX_PROMPT = 4000;
    static final int MAX_TITLE = 200;
    static final Set<String> PROVIDERS = Set.of("openai", "stability", "midjourney", "placeholder");

    private final ServiceConfig config;

    public ImageIntake(ServiceConfig config) {
        this.config = config;
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

        NewImageRow.Owner owner() {
            return new NewImageRow.Owner(personaId, personaTitle, prompt, sessionId, participantId, tableId, provider);
        }
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
        NewImageRow base = NewImageRow.received(id, f.owner(), now,
                new NewImageRow.Content(type.mimeType(), bytes.length, ImageBytes.sha256Hex(bytes)));
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
        NewImageRow base = NewImageRow.received(id, f.owner(), now,
                new NewImageRow.Content(type.mimeType(), size, ImageBytes.sha256Hex(in.file())));
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

    /** A generated image for a row written as {@code generating}; a defective one is the provider's fault (502). */
    Prepared generated(NewImageRow pending, byte[] bytes) {
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
        NewImageRow base = pending.received(
                new NewImageRow.Content(type.mimeType(), bytes.length, ImageBytes.sha256Hex(bytes)));
        return new Prepared(base, bytes, null, type, Base64.getEncoder().encodeToString(ImageBytes.md5(bytes)));
    }
}
