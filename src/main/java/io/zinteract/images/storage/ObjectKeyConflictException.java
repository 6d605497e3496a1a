package io.zinteract.images.storage;

/**
 * The key an image must be written to already holds another object: never overwritten, since that object may be
 * the only copy of another image. HTTP status 409, not transient: trying again cannot help.
 */
public class ObjectKeyConflictException extends StorageException {

    /** How every key-conflict message starts, so that reports can find them among other failures. */
    public static final String PREFIX = "key conflict: ";

    private final String key;

    public ObjectKeyConflictException(String key, String message) {
        super(PREFIX + message, 409, null);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
