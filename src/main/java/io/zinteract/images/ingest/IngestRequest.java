package io.zinteract.images.ingest;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The body of {@code POST /api/images/ingest}: where to fetch the image and the fields of its row. */
@RegisterForReflection
public record IngestRequest(String url, String personaId, String personaTitle, String prompt, String sessionId,
        String participantId, String tableId, String provider) {
}
