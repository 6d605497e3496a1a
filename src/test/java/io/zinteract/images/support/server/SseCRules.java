package io.zinteract.images.support.server;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * R2's SSE-C rules as the {@link S3TestProxy} applies them: which S3 operation a request is, which operations must
 * carry the key, and what a correct set of SSE-C headers looks like (algorithm AES256, the configured 32-byte key, its
 * MD5, all signed; a copy also for its source).
 */
final class SseCRules {

    static final String SSE_PREFIX = "x-amz-server-side-encryption-customer-";
    static final String COPY_SSE_PREFIX = "x-amz-copy-source-server-side-encryption-customer-";
    static final Set<String> OPERATIONS = Set.of("PutObject", "GetObject", "HeadObject", "CreateMultipartUpload",
            "UploadPart", "CompleteMultipartUpload", "CopyObject", "UploadPartCopy");

    /** Null: no SSE-C expected, and none allowed. */
    private final byte[] expectedKey;

    SseCRules(String expectedKeyBase64) {
        this.expectedKey = expectedKeyBase64 == null ? null : Base64.getDecoder().decode(expectedKeyBase64);
    }

    /** Whether a header is taken off before forwarding: the SSE-C headers, when SSE-C is expected (S3Proxy 501s them). */
    boolean strips(String lowerCaseName) {
        return expectedKey != null && (lowerCaseName.startsWith(SSE_PREFIX) || lowerCaseName.startsWith(COPY_SSE_PREFIX));
    }

    static String operation(String method, String path, Map<String, String> query, Map<String, ?> headers) {
        String[] parts = path.split("/", 3);
        boolean object = parts.length == 3 && !parts[2].isEmpty();
        if (!object) {
            return switch (method) {
                case "GET" -> query.containsKey("uploads") ? "ListMultipartUploads" : "ListObjects";
                case "HEAD" -> "HeadBucket";
                default -> method + "Bucket";
            };
        }
        boolean copy = headers.containsKey("x-amz-copy-source");
        if (method.equals("POST") && query.containsKey("uploads")) {
            return "CreateMultipartUpload";
        }
        if (method.equals("POST") && query.containsKey("uploadId")) {
            return "CompleteMultipartUpload";
        }
        if (method.equals("PUT") && query.containsKey("partNumber")) {
            return copy ? "UploadPartCopy" : "UploadPart";
        }
        if (query.containsKey("uploadId")) {
            return method.equals("DELETE") ? "AbortMultipartUpload" : "ListParts";
        }
        return switch (method) {
            case "PUT" -> copy ? "CopyObject" : "PutObject";
            case "GET" -> "GetObject";
            case "HEAD" -> "HeadObject";
            case "DELETE" -> "DeleteObject";
            default -> method + "Object";
        };
    }

    /** The violations of one request; none when it is fine or its operation takes no SSE-C. */
    List<String> check(S3TestProxy.Request r) {
        List<String> violations = new ArrayList<>();
        String where = r.operation() + " " + r.method() + " " + r.path();
        if (expectedKey == null) {
            if (r.headers().keySet().stream().anyMatch(h -> h.startsWith(SSE_PREFIX) || h.startsWith(COPY_SSE_PREFIX))) {
                violations.add(where + ": SSE-C header sent although no key is configured");
            }
            return violations;
        }
        if (!OPERATIONS.contains(r.operation())) {
            return violations;
        }
        checkTriple(r, SSE_PREFIX, where, violations);
        if (r.operation().equals("CopyObject") || r.operation().equals("UploadPartCopy")) {
            checkTriple(r, COPY_SSE_PREFIX, where + " (copy source)", violations);
        }
        return violations;
    }

    private void checkTriple(S3TestProxy.Request r, String prefix, String where, List<String> violations) {
        String algorithm = r.header(prefix + "algorithm");
        String key = r.header(prefix + "key");
        String md5 = r.header(prefix + "key-md5");
        if (!"AES256".equals(algorithm)) {
            violations.add(where + ": " + prefix + "algorithm is " + algorithm + ", not AES256");
        }
        byte[] sentKey = null;
        try {
            sentKey = key == null ? null : Base64.getDecoder().decode(key);
        } catch (IllegalArgumentException e) {
            violations.add(where + ": " + prefix + "key is not base64");
        }
        if (sentKey == null || !Arrays.equals(sentKey, expectedKey)) {
            violations.add(where + ": " + prefix + "key is missing or not the configured 32-byte key");
        } else if (md5 == null || !md5.equals(Base64.getEncoder().encodeToString(md5(sentKey)))) {
            violations.add(where + ": " + prefix + "key-MD5 is missing or does not match the key");
        }
        List<String> signed = signedHeaders(r);
        for (String name : List.of(prefix + "algorithm", prefix + "key", prefix + "key-md5")) {
            if (r.header(name) != null && !signed.contains(name)) {
                violations.add(where + ": " + name + " is not covered by the signature");
            }
        }
    }

    private static List<String> signedHeaders(S3TestProxy.Request r) {
        String auth = r.header("authorization");
        String signed = r.query().get("X-Amz-SignedHeaders");
        if (auth != null && auth.contains("SignedHeaders=")) {
            String rest = auth.substring(auth.indexOf("SignedHeaders=") + "SignedHeaders=".length());
            signed = rest.substring(0, rest.indexOf(',') < 0 ? rest.length() : rest.indexOf(','));
        }
        return signed == null ? List.of() : List.of(signed.trim().split(";"));
    }

    private static byte[] md5(byte[] bytes) {
        try {
            return MessageDigest.getInstance("MD5").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
