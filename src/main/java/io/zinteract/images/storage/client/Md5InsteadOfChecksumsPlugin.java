package io.zinteract.images.storage.client;

import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.SdkServiceClientConfiguration;
import software.amazon.awssdk.core.checksums.ChecksumSpecs;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.core.interceptor.SdkInternalExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Makes operations that require a checksum (PutBucketCors, PutBucketLifecycleConfiguration, DeleteObjects) carry
 * Content-MD5 only. With {@code WHEN_REQUIRED} the SDK still adds {@code x-amz-sdk-checksum-algorithm} and
 * {@code x-amz-checksum-crc32} to them, next to the Content-MD5 that {@code LegacyMd5Plugin} adds (seen on the wire
 * in {@code BucketCorsTest}); R2 refuses those headers on PutBucketCors. Once a request has Content-MD5 and no
 * algorithm was chosen for it, this interceptor marks the checksum as satisfied, so the SDK's checksum stage, which
 * runs after interceptors, adds nothing. It must run after LegacyMd5Plugin's interceptor: add it as a later plugin.
 *
 * <p>It touches two SDK execution attributes, one of them internal; the SDK version is pinned by the BOM, and the
 * test that records the headers fails if a new version changes this.
 */
final class Md5InsteadOfChecksumsPlugin implements SdkPlugin {

    private static final ExecutionInterceptor INTERCEPTOR = new ExecutionInterceptor() {
        @Override
        public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
            SdkHttpRequest request = context.httpRequest();
            if (request.firstMatchingHeader("Content-MD5").isEmpty()) {
                return request;
            }
            ChecksumSpecs specs = attributes.getAttribute(SdkExecutionAttribute.RESOLVED_CHECKSUM_SPECS);
            if (specs != null && specs.algorithmV2() == null && specs.isRequestChecksumRequired()) {
                attributes.putAttribute(SdkExecutionAttribute.RESOLVED_CHECKSUM_SPECS,
                        specs.toBuilder().isRequestChecksumRequired(false).build());
            }
            if (attributes.getAttribute(SdkInternalExecutionAttribute.HTTP_CHECKSUM_REQUIRED) != null) {
                attributes.putAttribute(SdkInternalExecutionAttribute.HTTP_CHECKSUM_REQUIRED, null);
            }
            return request;
        }
    };

    public static SdkPlugin create() {
        return new Md5InsteadOfChecksumsPlugin();
    }

    @Override
    public void configureClient(SdkServiceClientConfiguration.Builder config) {
        config.overrideConfiguration(config.overrideConfiguration().toBuilder().addExecutionInterceptor(INTERCEPTOR)
                .build());
    }
}
