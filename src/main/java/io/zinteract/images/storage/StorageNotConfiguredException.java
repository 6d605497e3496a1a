package io.zinteract.images.storage;

/** No R2 endpoint or credentials are configured, so no call can be made at all. */
public class StorageNotConfiguredException extends StorageException {
    public StorageNotConfiguredException() {
        super("R2 is not configured: set R2_ACCOUNT_ID or R2_ENDPOINT, R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY", 0, null);
    }

    @Override
    public boolean transientFailure() {
        return false;
    }
}
