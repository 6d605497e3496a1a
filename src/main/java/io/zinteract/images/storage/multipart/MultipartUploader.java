package io.zinteract.images.storage.multipart;

import io.zinteract.images.storage.R2Storage;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.db.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Uploads a file that is too large for one PUT as an R2 multipart upload: create, then each part in turn with its own
 * Content-MD5 (read from disk, never the whole file in memory), then complete. Parts go one at a time, so memory stays
 * at a few buffers whatever the size. On any failure the upload is aborted, so no parts linger, and the key is deleted,
 * in case the store completed the object while its answer was lost; the key is the image's own, so nothing else can
 * live there.
 */
@ApplicationScoped
public class MultipartUploader {

    private static final Logger LOG = Logger.getLogger(MultipartUploader.class);
    private static final int READ_BUFFER = 64 * 1024;

    private final R2Multipart multipart;
    private final R2Storage storage;
    private final ServiceConfig config;

    public MultipartUploader(R2Multipart multipart, R2Storage storage, ServiceConfig config) {
        this.multipart = multipart;
        this.storage = storage;
        this.config = config;
    }

    /** One file to upload under {@code key}; {@code storageClass} null means the bucket's default. */
    public record LargeObject(String key, Path file, long size, String contentType, Map<String, String> metadata,
            String storageClass) {
    }

    /** The plan for an object of {@code size} bytes with the configured part size. */
    public PartPlan plan(long size) {
        return PartPlan.of(size, config.multipart().partSize());
    }

    /** Uploads the file; the answer is the object's ETag. Fails with a {@link StorageException} (or the breaker's). */
    public Uni<String> upload(LargeObject object) {
        PartPlan plan = plan(object.size());
        return multipart.createMultipart(object.key(), object.contentType(), object.metadata(), object.storageClass())
                .chain(uploadId -> parts(object, plan, uploadId)
                        .chain(etags -> multipart.completeMultipart(object.key(), uploadId, etags))
                        .onFailure().call(failure -> cleanUp(object.key(), uploadId, failure)));
    }

    private Uni<List<String>> parts(LargeObject object, PartPlan plan, String uploadId) {
        return Multi.createFrom().range(1, plan.parts() + 1)
                .onItem().transformToUniAndConcatenate(number -> {
                    long offset = plan.offset(number);
                    long length = plan.length(number);
                    return Blocking.call(() -> md5Base64(object.file(), offset, length))
                            .chain(md5 -> multipart.uploadPart(object.key(), uploadId, number, object.file(), offset,
                                    length, md5));
                })
                .collect().asList();
    }

    /** Best effort: the original failure is what the caller hears about, whatever happens here. */
    private Uni<Void> cleanUp(String key, String uploadId, Throwable cause) {
        LOG.warnf("Multipart upload %s of %s failed (%s); aborting it", uploadId, key, cause.getMessage());
        return multipart.abortMultipart(key, uploadId)
                .onFailure().invoke(e -> LOG.warnf("Could not abort multipart upload %s of %s (%s); R2 drops "
                        + "unfinished uploads after 7 days", uploadId, key, e.getMessage()))
                .onFailure().recoverWithNull()
                .chain(() -> storage.delete(key))
                .onFailure().invoke(e -> LOG.warnf("Could not make sure %s is absent after a failed upload (%s)", key,
                        e.getMessage()))
                .onFailure().recoverWithNull();
    }

    static String md5Base64(Path file, long offset, long length) {
        MessageDigest md5 = digest("MD5");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                InputStream in = Channels.newInputStream(channel.position(offset))) {
            byte[] buffer = new byte[READ_BUFFER];
            long left = length;
            while (left > 0) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (read < 0) {
                    throw new IOException(file + " ended " + left + " bytes before the part did");
                }
                md5.update(buffer, 0, read);
                left -= read;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(md5.digest());
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JRE", e);
        }
    }
}
