package io.zinteract.images.support;

import io.zinteract.images.storage.R2Config;
import io.zinteract.images.config.ServiceConfig;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Settings as plain values, read by the fake config interfaces below; unset keys are absent, as in the environment. */
public final class FakeSettings {
    private final Map<String, String> values = new HashMap<>();

    public FakeSettings with(String key, String value) {
        values.put(key, value);
        return this;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public ServiceConfig service() {
        return new ServiceConfig() {
            public boolean enableR2Storage() {
                return Boolean.parseBoolean(get("ENABLE_R2_STORAGE").orElse("false"));
            }

            public long maxImageBytes() {
                return Long.parseLong(get("MAX_IMAGE_BYTES").orElse("26214400"));
            }

            public long maxImagePixels() {
                return Long.parseLong(get("MAX_IMAGE_PIXELS").orElse("50000000"));
            }

            public String sqlitePath() {
                return get("SQLITE_PATH").orElse("data/images.db");
            }

            public Serve serve() {
                return new Serve() {
                    public ServeMode mode() {
                        return ServeMode.REDIRECT;
                    }

                    public Duration presignTtl() {
                        return Duration.parse(get("PRESIGN_TTL").orElse("PT10M"));
                    }

                    public Cache cache() {
                        return new Cache() {
                            public Duration ttl() {
                                return Duration.parse(get("IMAGE_CACHE_TTL").orElse("PT3S"));
                            }

                            public int maxEntries() {
                                return Integer.parseInt(get("IMAGE_CACHE_MAX_ENTRIES").orElse("5000"));
                            }

                            public long maxBytes() {
                                return Long.parseLong(get("IMAGE_CACHE_BYTES").orElse("16777216"));
                            }
                        };
                    }
                };
            }

            public Optional<String> publicBaseUrl() {
                return Optional.empty();
            }

            public Health health() {
                return () -> Duration.ofSeconds(2);
            }

            public Multipart multipart() {
                return new Multipart() {
                    public long threshold() {
                        return Long.parseLong(get("MULTIPART_THRESHOLD").orElse("104857600"));
                    }

                    public long partSize() {
                        return Long.parseLong(get("MULTIPART_PART_SIZE").orElse("8388608"));
                    }
                };
            }
        };
    }

    public R2Config r2() {
        return new R2Config() {
            public Optional<String> accountId() {
                return get("R2_ACCOUNT_ID");
            }

            public Optional<String> endpoint() {
                return get("R2_ENDPOINT");
            }

            public Optional<String> accessKeyId() {
                return get("R2_ACCESS_KEY_ID");
            }

            public Optional<String> secretAccessKey() {
                return get("R2_SECRET_ACCESS_KEY");
            }

            public String bucket() {
                return get("R2_BUCKET").orElse("z-interact-images");
            }

            public Optional<String> publicUrl() {
                return get("R2_PUBLIC_URL");
            }

            public String region() {
                return "auto";
            }

            public String keyPrefix() {
                return get("R2_KEY_PREFIX").orElse("images/");
            }

            public Duration callTimeout() {
                return Duration.ofSeconds(30);
            }

            public long readBufferBytes() {
                return Long.parseLong(get("R2_READ_BUFFER_BYTES").orElse("1048576"));
            }

            public Optional<String> sseCKey() {
                return get("R2_SSE_C_KEY");
            }

            public java.util.OptionalInt iaAfterDays() {
                return get("R2_IA_AFTER_DAYS").map(v -> java.util.OptionalInt.of(Integer.parseInt(v)))
                        .orElse(java.util.OptionalInt.empty());
            }
        };
    }
}
