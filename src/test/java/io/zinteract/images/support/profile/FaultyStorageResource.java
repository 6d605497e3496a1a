package io.zinteract.images.support.profile;

import io.zinteract.images.support.server.S3TestProxy;

/**
 * S3Proxy with the {@link S3TestProxy} in front of it, for tests that turn the store nasty through {@link #faults()};
 * the same set-up as {@link RecordingS3ProxyResource} without SSE-C.
 */
public class FaultyStorageResource extends RecordingS3ProxyResource {

    public static S3TestProxy faults() {
        return recorder();
    }
}
