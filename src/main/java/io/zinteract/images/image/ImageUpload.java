package io.zinteract.images.image;

import java.nio.file.Path;

/**
 * An image as it arrived: either in memory ({@code bytes}) or spooled to a file by Quarkus ({@code file}: the
 * multipart part or the raw body), with the type the client declared and the form fields, not yet validated.
 */
public record ImageUpload(byte[] bytes, Path file, String declaredType, String personaId, String personaTitle,
        String prompt, String sessionId, String participantId, String tableId, String provider) {
}
