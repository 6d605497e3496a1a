package io.zinteract.images.quota;

/** The caps, by the name a refusal gives them ({@code "quota"} member and metric tag). */
public enum Quota {
    SESSION_IMAGES("session-images"),
    SESSION_BYTES("session-bytes"),
    PERSONA_IMAGES("persona-images"),
    PERSONA_BYTES("persona-bytes"),
    SESSION_GENERATIONS("session-generations-per-day");

    private final String wire;

    Quota(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    boolean session() {
        return this == SESSION_IMAGES || this == SESSION_BYTES || this == SESSION_GENERATIONS;
    }

    boolean bytes() {
        return this == SESSION_BYTES || this == PERSONA_BYTES;
    }
}
