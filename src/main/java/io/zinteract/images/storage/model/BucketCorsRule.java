package io.zinteract.images.storage.model;

import software.amazon.awssdk.services.s3.model.CORSRule;

import java.util.List;

/**
 * One rule of a bucket's CORS configuration, as S3 and R2 define it. Empty lists and a null max age mean "not set".
 */
public record BucketCorsRule(List<String> allowedOrigins, List<String> allowedMethods, List<String> allowedHeaders,
        List<String> exposeHeaders, Integer maxAgeSeconds) {

    public CORSRule toSdk() {
        return CORSRule.builder().allowedOrigins(allowedOrigins).allowedMethods(allowedMethods)
                .allowedHeaders(allowedHeaders.isEmpty() ? null : allowedHeaders)
                .exposeHeaders(exposeHeaders.isEmpty() ? null : exposeHeaders)
                .maxAgeSeconds(maxAgeSeconds).build();
    }

    public static BucketCorsRule fromSdk(CORSRule rule) {
        return new BucketCorsRule(List.copyOf(rule.allowedOrigins()), List.copyOf(rule.allowedMethods()),
                List.copyOf(rule.allowedHeaders()), List.copyOf(rule.exposeHeaders()), rule.maxAgeSeconds());
    }
}
