package io.zinteract.images.ratelimit;

/** The limits this service enforces; {@link #wire()} names them in problems, headers and metrics. */
public enum Limit {
    GENERATE("generate", "RATE_LIMIT_GENERATE"),
    INGEST("ingest", "RATE_LIMIT_INGEST"),
    UPLOADS("uploads", "RATE_LIMIT_UPLOADS"),
    PRESIGN("presign", "RATE_LIMIT_PRESIGN"),
    ADMIN_FAILURES("admin-failures", "RATE_LIMIT_ADMIN_FAILURES"),
    /** All clients together: one bucket, for the image provider's calls. */
    PROVIDER_CALLS("provider-calls", "RATE_LIMIT_PROVIDER_CALLS");

    private final String wire;
    private final String env;

    Limit(String wire, String env) {
        this.wire = wire;
        this.env = env;
    }

    public String wire() {
        return wire;
    }

    String env() {
        return env;
    }

    String setting(RateLimitConfig config) {
        return switch (this) {
            case GENERATE -> config.generate();
            case INGEST -> config.ingest();
            case UPLOADS -> config.uploads();
            case PRESIGN -> config.presign();
            case ADMIN_FAILURES -> config.adminFailures();
            case PROVIDER_CALLS -> config.providerCalls();
        };
    }
}
