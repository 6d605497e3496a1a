package io.zinteract.images.storage;

import io.zinteract.images.storage.model.PutObject;
import io.zinteract.images.storage.model.ObjectHead;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Optional;

/**
 * Writes an image's object without ever replacing another image's: the PUT carries {@code If-None-Match: *}, and when
 * the key is taken (412) the object there is looked at. It is reused when it provably holds exactly these bytes (its
 * {@code sha256} metadata and size, or its ETag as the MD5 of these bytes), replaced when its {@code image-id}
 * metadata says this same image wrote it (an earlier attempt that did not verify), and otherwise the write fails with
 * {@link ObjectKeyConflictException}. For writes that cannot be conditional (copies, multipart uploads) the same
 * check runs as a HEAD before the write.
 */
@ApplicationScoped
public class NewObjects {

    /** Object metadata naming the image (in its key-segment form) and the SHA-256 of its bytes. */
    public static final String IMAGE_ID = "image-id";
    public static final String SHA256 = "sha256";

    private final R2Storage storage;

    public NewObjects(R2Storage storage) {
        this.storage = storage;
    }

    /** The bytes of one image, for proving that an object holds them. */
    public record Identity(String imageId, long size, String sha256, String md5Hex) {
    }

    /** PUTs {@code object} unless its key holds another image's object; yields the ETag of what is at the key. */
    public Uni<String> put(PutObject object, Identity image) {
        return storage.put(object.onlyIfAbsent())
                .onFailure(e -> e instanceof StorageException s && s.status() == 412)
                .recoverWithUni(() -> storage.head(object.key()).chain(head -> switch (judge(head, image)) {
                    case SAME -> Uni.createFrom().item(head.get().etag());
                    case OWN, FREE -> storage.put(object.replacing());
                    case OTHER -> Uni.createFrom().failure(conflict(object.key(), head.get(), image));
                }));
    }

    /**
     * Before a write that cannot be conditional: fails with {@link ObjectKeyConflictException} when the key holds an
     * object of another image; yields true when it already holds exactly these bytes.
     */
    public Uni<Boolean> checkFree(String key, Identity image) {
        return storage.head(key).map(head -> switch (judge(head, image)) {
            case SAME -> true;
            case OWN, FREE -> false;
            case OTHER -> throw conflict(key, head.get(), image);
        });
    }

    /**
     * Null when the key is free for this image or holds its bytes; else why the object there is another's. Without a
     * configured store (a dry run before R2 is set up) there is no object to hold the key: null.
     */
    public Uni<String> conflictAt(String key, Identity image) {
        if (!storage.configured()) {
            return Uni.createFrom().nullItem();
        }
        return storage.head(key).map(head -> judge(head, image) == Verdict.OTHER
                ? conflict(key, head.get(), image).getMessage() : null);
    }

    enum Verdict { FREE, SAME, OWN, OTHER }

    Verdict judge(Optional<ObjectHead> found, Identity image) {
        if (found.isEmpty()) {
            return Verdict.FREE;
        }
        ObjectHead head = found.get();
        Map<String, String> meta = head.metadata() == null ? Map.of() : head.metadata();
        boolean sizeMatches = head.size() == image.size();
        boolean shaMatches = image.sha256() != null && image.sha256().equalsIgnoreCase(meta.get(SHA256));
        boolean md5Matches = storage.etagIsMd5() && image.md5Hex() != null && image.md5Hex().equalsIgnoreCase(head.etag());
        // The ETag proves the bytes where it is their MD5; the sha256 metadata where it is not (SSE-C, multipart).
        boolean etagProves = storage.etagIsMd5() && image.md5Hex() != null;
        if (sizeMatches && (etagProves ? md5Matches : shaMatches)) {
            return Verdict.SAME;
        }
        return ObjectKeys.metadataValue(image.imageId()).equals(meta.get(IMAGE_ID)) ? Verdict.OWN : Verdict.OTHER;
    }

    private static ObjectKeyConflictException conflict(String key, ObjectHead head, Identity image) {
        Map<String, String> meta = head.metadata() == null ? Map.of() : head.metadata();
        return new ObjectKeyConflictException(key, "object key " + key + " already holds another object ("
                + head.size() + " bytes, ETag " + head.etag()
                + (meta.get(IMAGE_ID) == null ? "" : ", image-id " + meta.get(IMAGE_ID))
                + (meta.get(SHA256) == null ? "" : ", sha256 " + meta.get(SHA256))
                + "), not image " + image.imageId() + " (" + image.size() + " bytes, sha256 " + image.sha256()
                + "); it was left as it is");
    }
}
