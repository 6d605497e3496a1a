package io.zinteract.images.image;

import io.zinteract.images.image.data.StorageKind;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The answer to an upload. {@code fallback} is true when R2 storage was asked for but failed, so the image went to
 * the database instead.
 */
@RegisterForReflection
public record StoredImage(String id, String personaId, String contentType, long size, String sha256, StorageKind storage,
        String r2Key, String url, boolean fallback) {

    public StoredImage withUrl(String serviceUrl) {
        return new StoredImage(id, personaId, contentType, size, sha256, storage, r2Key, serviceUrl, fallback);
    }
}
