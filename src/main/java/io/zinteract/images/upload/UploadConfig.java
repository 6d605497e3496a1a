package io.zinteract.images.upload;

import io.smallrye.config.ConfigMapping;

import java.time.Duration;

/**
 * Presigned uploads ({@code POST /api/images/uploads}): clients PUT the bytes straight to R2, then ask this service to
 * verify them. The URL only works on R2's own endpoint, never on a custom domain.
 */
@ConfigMapping(prefix = "uploads")
public interface UploadConfig {

    /**
     * Lifetime of a presigned PUT URL ({@code PRESIGNED_UPLOAD_TTL}); R2 accepts 1 s to 7 days. Short is better: the
     * URL lets anyone holding it write the upload's object until it expires.
     */
    Duration presignTtl();

    /**
     * How long after its URL expired an upload may still be completed ({@code PRESIGNED_UPLOAD_GRACE}), so that a PUT
     * started in the URL's last second can still be completed; afterwards completion answers 410.
     */
    Duration completeGrace();
}
