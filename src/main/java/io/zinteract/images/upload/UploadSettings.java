package io.zinteract.images.upload;

import io.zinteract.images.storage.StorageSettings;
import io.zinteract.images.config.SettingsCheck;
import jakarta.enterprise.context.ApplicationScoped;

/** A presigned upload URL must be one R2 will sign. */
@ApplicationScoped
class UploadSettings implements SettingsCheck {

    private final UploadConfig uploads;

    UploadSettings(UploadConfig uploads) {
        this.uploads = uploads;
    }

    @Override
    public int order() {
        return 300;
    }

    @Override
    public String problem() {
        return StorageSettings.presignTtlProblem("PRESIGNED_UPLOAD_TTL", uploads.presignTtl());
    }
}
