package io.zinteract.images.quota;

/** Where an image comes in: the {@code endpoint} tag of {@code quota_refused_total}. */
public enum QuotaEndpoint {
    UPLOAD("POST /api/images"),
    INGEST("POST /api/images/ingest"),
    GENERATE("POST /api/generate-image"),
    PRESIGNED_CREATE("POST /api/images/uploads"),
    PRESIGNED_COMPLETE("POST /api/images/uploads/{uploadId}/complete");

    private final String wire;

    QuotaEndpoint(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
