package io.zinteract.images.variant;

import io.smallrye.mutiny.Uni;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.image.data.ImageRecord;
import io.zinteract.images.image.intake.ImageBytes;
import io.zinteract.images.storage.NewObjects;
import io.zinteract.images.storage.ObjectKeys;
import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.storage.model.PutObject;
import io.zinteract.images.variant.codec.Rendered;
import io.zinteract.images.variant.data.VariantRecord;
import io.zinteract.images.variant.data.VariantRepository;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Keeps rendered variants of R2 images: each object first, then its row, in the order originals are written; a row
 * that cannot be written because the image changed meanwhile gets its fresh object deleted. Removal goes the other
 * way (row, then object), so no row ever names an object that is gone; what a failed object delete leaves is found
 * by the orphan cleanup under {@value ObjectKeys#VARIANT_PREFIX}.
 */
@ApplicationScoped
public class VariantStore {

    private static final Logger LOG = Logger.getLogger(VariantStore.class);

    private final R2Storage storage;
    private final VariantRepository repository;

    public VariantStore(R2Storage storage, VariantRepository repository) {
        this.storage = storage;
        this.repository = repository;
    }

    /** Writes the variants of {@code row} and returns the rows that name them (also those another writer won). */
    public Uni<List<VariantRecord>> keep(ImageRecord row, VariantRenderer.Output output) {
        Uni<List<VariantRecord>> kept = Uni.createFrom().item(new ArrayList<>());
        for (VariantRenderer.Made made : output.made()) {
            kept = kept.chain(list -> keepOne(row, made, output.alpha()).map(v -> {
                if (v != null) {
                    list.add(v);
                }
                return list;
            }));
        }
        return kept.map(List::copyOf);
    }

    private Uni<VariantRecord> keepOne(ImageRecord row, VariantRenderer.Made made, boolean alpha) {
        Rendered r = made.rendered();
        String key = ObjectKeys.forVariant(row.r2Key(), made.preset().name(), r.format().extension());
        String sha = ImageBytes.sha256Hex(r.bytes());
        VariantRecord record = new VariantRecord(row.id(), made.preset().name(), r.format().wire(), r.width(),
                r.height(), r.bytes().length, sha, alpha, key, Instant.now().getEpochSecond());
        PutObject object = new PutObject(key, r.bytes(), r.format().mimeType(),
                Base64.getEncoder().encodeToString(ImageBytes.md5(r.bytes())),
                Map.of(NewObjects.IMAGE_ID, ObjectKeys.metadataValue(row.id()), NewObjects.SHA256, sha), null);
        return storage.put(object)
                .chain(() -> Blocking.call(() -> repository.insert(record, row.r2Key())))
                .chain(outcome -> switch (outcome) {
                    case INSERTED -> Uni.createFrom().item(record);
                    case ALREADY_THERE -> Blocking.call(() -> repository
                            .find(row.id(), record.preset(), record.format()).orElse(record));
                    case IMAGE_CHANGED -> {
                        LOG.debugf("Image %s changed while its variant %s was made; object deleted", row.id(), key);
                        yield storage.delete(key).replaceWith((VariantRecord) null);
                    }
                });
    }

    /** Removes every variant of the image, row then object; returns how many rows there were. */
    public Uni<Integer> removeAll(String imageId) {
        return Blocking.call(() -> repository.ofImage(imageId)).chain(variants -> {
            Uni<Integer> done = Uni.createFrom().item(0);
            for (VariantRecord v : variants) {
                done = done.chain(n -> Blocking.call(() -> repository.delete(v.imageId(), v.preset(), v.format()))
                        .chain(() -> storage.delete(v.r2Key())).replaceWith(n + 1));
            }
            return done;
        });
    }
}
