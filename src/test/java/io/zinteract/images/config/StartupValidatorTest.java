package io.zinteract.images.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Each unusable combination of settings is refused with one line that names the variable to fix. */
class StartupValidatorTest {

    /** Settings as plain values; unset keys are absent, as in the environment. */
    static final class Settings {
        final Map<String, String> values = new HashMap<>();

        Settings with(String key, String value) {
            values.put(key, value);
            return this;
        }

        Optional<String> get(String key) {
            return Optional.ofNullable(values.get(key));
        }

        StartupValidator validator() {
            return new StartupValidator(service(), r2(), Long.parseLong(get("MAX_REQUEST_BYTES").orElse("67108864")),
                    get("ADMIN_API_KEY"), Duration.parse(get("PRESIGNED_UPLOAD_TTL").orElse("PT15M")),
                    get("CORS_ORIGINS").map(v -> List.of(v.split(","))).orElse(List.of()));
        }

        ServiceConfig service() {
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

        R2Config r2() {
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

    static final String ACCOUNT = "0123456789abcdef0123456789abcdef";

    @Test
    void defaultsStartWithoutAnyR2Account() {
        assertNull(new Settings().validator().firstProblem());
    }

    @Test
    void aCompleteR2AccountStartsWithR2StorageOn() {
        assertNull(new Settings().with("ENABLE_R2_STORAGE", "true").with("R2_ACCOUNT_ID", ACCOUNT)
                .with("R2_ACCESS_KEY_ID", "k").with("R2_SECRET_ACCESS_KEY", "s").validator().firstProblem());
    }

    @Test
    void theAccountIdGivesTheR2Endpoint() {
        Settings s = new Settings().with("R2_ACCOUNT_ID", ACCOUNT);
        assertEquals("https://" + ACCOUNT + ".r2.cloudflarestorage.com", s.r2().effectiveEndpoint().orElseThrow());
        s.with("R2_ENDPOINT", "http://127.0.0.1:9000");
        assertEquals("http://127.0.0.1:9000", s.r2().effectiveEndpoint().orElseThrow(), "R2_ENDPOINT overrides");
    }

    @Test
    void eachBadSettingNamesItsVariable() {
        Map<Settings, String> cases = new java.util.LinkedHashMap<>();
        cases.put(new Settings().with("ENABLE_R2_STORAGE", "true"), "ENABLE_R2_STORAGE=true needs R2_ACCOUNT_ID or R2_ENDPOINT");
        cases.put(new Settings().with("ENABLE_R2_STORAGE", "true").with("R2_ACCOUNT_ID", ACCOUNT),
                "ENABLE_R2_STORAGE=true needs R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY");
        cases.put(new Settings().with("R2_ACCESS_KEY_ID", "k"), "R2_SECRET_ACCESS_KEY is missing while R2_ACCESS_KEY_ID is set");
        cases.put(new Settings().with("R2_SECRET_ACCESS_KEY", "s"), "R2_ACCESS_KEY_ID is missing while R2_SECRET_ACCESS_KEY is set");
        cases.put(new Settings().with("R2_READ_BUFFER_BYTES", "65535"), "R2_READ_BUFFER_BYTES must be between 65536 and 268435456");
        cases.put(new Settings().with("R2_READ_BUFFER_BYTES", "268435457"), "R2_READ_BUFFER_BYTES must be between 65536 and 268435456");
        cases.put(new Settings().with("R2_ACCOUNT_ID", "my-account"), "R2_ACCOUNT_ID must be the 32-character hexadecimal Cloudflare account id");
        cases.put(new Settings().with("R2_ENDPOINT", "ftp://x"), "R2_ENDPOINT must be an http(s) URL such as https://<account>.r2.cloudflarestorage.com");
        cases.put(new Settings().with("R2_PUBLIC_URL", "images.example.com"), "R2_PUBLIC_URL must be an http(s) URL such as https://images.example.com");
        cases.put(new Settings().with("R2_BUCKET", "Bad_Bucket"), "R2_BUCKET must be 3 to 63 lowercase letters, digits or hyphens");
        cases.put(new Settings().with("R2_KEY_PREFIX", "../"), "R2_KEY_PREFIX must be empty or folders of [A-Za-z0-9_-] each ending in '/'");
        cases.put(new Settings().with("MAX_IMAGE_PIXELS", "0"), "MAX_IMAGE_PIXELS must be at least 1");
        cases.put(new Settings().with("MAX_IMAGE_BYTES", "0"), "MAX_IMAGE_BYTES must be between 1 and 5368709120");
        cases.put(new Settings().with("MAX_IMAGE_BYTES", "6000000000").with("MAX_REQUEST_BYTES", "7000000000"), "MAX_IMAGE_BYTES must be between 1 and 5368709120");
        cases.put(new Settings().with("MAX_IMAGE_BYTES", "67108864"),
                "MAX_REQUEST_BYTES (67108864) must exceed MAX_IMAGE_BYTES by at least 64 KiB of multipart framing");
        cases.put(new Settings().with("PRESIGN_TTL", "P8D"), "PRESIGN_TTL must be between PT1S and P7D (R2's presign limits)");
        cases.put(new Settings().with("PRESIGNED_UPLOAD_TTL", "P7DT1S"),
                "PRESIGNED_UPLOAD_TTL must be between PT1S and P7D (R2's presign limits)");
        cases.put(new Settings().with("PRESIGNED_UPLOAD_TTL", "PT0.5S"),
                "PRESIGNED_UPLOAD_TTL must be between PT1S and P7D (R2's presign limits)");
        cases.put(new Settings().with("CORS_ORIGINS", "https://app.example.com,app.example.com"),
                "CORS_ORIGINS entries must be origins such as https://app.example.com (scheme, host, optional port, no "
                        + "path), * or a /regular expression/; got app.example.com");
        cases.put(new Settings().with("CORS_ORIGINS", "https://app.example.com/path"),
                "CORS_ORIGINS entries must be origins such as https://app.example.com (scheme, host, optional port, no "
                        + "path), * or a /regular expression/; got https://app.example.com/path");
        cases.put(new Settings().with("SQLITE_PATH", " "), "SQLITE_PATH must not be empty");
        cases.put(new Settings().with("ADMIN_API_KEY", "short"), "ADMIN_API_KEY must be at least 16 characters (e.g. openssl rand -hex 32)");
        cases.forEach((settings, expected) -> assertEquals(expected, settings.validator().firstProblem()));
    }

    @Test
    void presignedUploadLimitsAndCorsOriginsThatWork() {
        assertNull(new Settings().with("PRESIGNED_UPLOAD_TTL", "P7D").validator().firstProblem());
        assertNull(new Settings().with("PRESIGNED_UPLOAD_TTL", "PT1S").validator().firstProblem());
        assertNull(new Settings().with("CORS_ORIGINS", "https://app.example.com,http://localhost:5173,/https://.*\\.example\\.com/")
                .validator().firstProblem());
    }

    @Test
    void validateThrowsWithTheSameLine() {
        var e = assertThrows(StartupValidator.InvalidConfigurationException.class,
                () -> new Settings().with("ENABLE_R2_STORAGE", "true").validator().validate());
        assertEquals("Invalid configuration: ENABLE_R2_STORAGE=true needs R2_ACCOUNT_ID or R2_ENDPOINT", e.getMessage());
    }

    @Test
    void storageFeatureSettingsAreRefusedWithOneLineNamingTheirVariable() {
        String key32 = java.util.Base64.getEncoder().encodeToString(new byte[32]);
        String key31 = java.util.Base64.getEncoder().encodeToString(new byte[31]);
        String key33 = java.util.Base64.getEncoder().encodeToString(new byte[33]);
        Map<Settings, String> cases = new java.util.LinkedHashMap<>();
        cases.put(new Settings().with("R2_SSE_C_KEY", "not base64!"), "R2_SSE_C_KEY must be base64 (e.g. openssl rand -base64 32)");
        cases.put(new Settings().with("R2_SSE_C_KEY", key31),
                "R2_SSE_C_KEY must be the base64 of exactly 32 bytes, not 31 (e.g. openssl rand -base64 32)");
        cases.put(new Settings().with("R2_SSE_C_KEY", key33),
                "R2_SSE_C_KEY must be the base64 of exactly 32 bytes, not 33 (e.g. openssl rand -base64 32)");
        cases.put(new Settings().with("R2_SSE_C_KEY", key32).with("R2_PUBLIC_URL", "https://images.example.com"),
                "R2_PUBLIC_URL cannot serve objects encrypted with R2_SSE_C_KEY (a browser cannot send the key); unset one of them");
        cases.put(new Settings().with("R2_SSE_C_KEY", key32).with("R2_ENDPOINT", "http://s3.example.com"),
                "R2_SSE_C_KEY needs an https R2_ENDPOINT: the key travels in request headers");
        cases.put(new Settings().with("MULTIPART_THRESHOLD", "1048576"),
                "MULTIPART_THRESHOLD must be between 5242880 (5 MiB) and 5368709120 (5 GiB, R2's limit for one PUT)");
        cases.put(new Settings().with("MULTIPART_PART_SIZE", "1048576"),
                "MULTIPART_PART_SIZE must be between 5242880 (5 MiB) and 5368709120 (5 GiB), R2's part limits");
        cases.put(new Settings().with("MULTIPART_PART_SIZE", "6000000000"),
                "MULTIPART_PART_SIZE must be between 5242880 (5 MiB) and 5368709120 (5 GiB), R2's part limits");
        cases.put(new Settings().with("R2_IA_AFTER_DAYS", "-1"),
                "R2_IA_AFTER_DAYS must be a number of days, 0 or more (empty: never use STANDARD_IA)");
        cases.forEach((settings, expected) -> assertEquals(expected, settings.validator().firstProblem()));

        assertNull(new Settings().with("R2_SSE_C_KEY", key32).with("R2_ACCOUNT_ID", ACCOUNT).validator().firstProblem());
        assertNull(new Settings().with("R2_SSE_C_KEY", key32).with("R2_ENDPOINT", "http://127.0.0.1:9000").validator()
                .firstProblem(), "plain HTTP is fine on loopback (local S3 servers, test proxies)");
        assertNull(new Settings().with("R2_IA_AFTER_DAYS", "0").with("MULTIPART_THRESHOLD", "5242880")
                .with("MULTIPART_PART_SIZE", "5242880").validator().firstProblem());
    }
}
