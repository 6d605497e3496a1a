package io.zinteract.images.migration.action;

import io.smallrye.mutiny.Uni;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.image.intake.ImageBytes;
import io.zinteract.images.image.intake.ImageType;
import io.zinteract.images.migration.job.Action;
import io.zinteract.images.migration.job.ItemResult;
import io.zinteract.images.migration.job.JobAction;
import io.zinteract.images.migration.job.JobContext;
import io.zinteract.images.migration.job.StorageFailures;
import io.zinteract.images.migration.job.WorkRow;
import io.zinteract.images.db.Jdbc;
import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.variant.VariantService;
import io.zinteract.images.variant.data.VariantRepository;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Puts migrated images back into the database: the bytes come from retained base64 when it still matches the
 * recorded SHA-256, else from the object, downloaded and checked against it. The row is committed first; the object
 * is deleted only when asked, and only after that commit, so no image is ever in neither place. The image's variants
 * go after the commit in any case (rows, then objects): they are derived from an object the row no longer points at.
 */
@ApplicationScoped
class RollbackAction implements JobAction {

    private static final Logger LOG = Logger.getLogger(RollbackAction.class);

    private final MigrationRepository images;
    private final ImageRows rows;
    private final R2Storage storage;
    private final VariantService variants;
    private final VariantRepository variantRows;

    RollbackAction(MigrationRepository images, ImageRows rows, R2Storage storage, VariantService variants,
            VariantRepository variantRows) {
        this.images = images;
        this.rows = rows;
        this.storage = storage;
        this.variants = variants;
        this.variantRows = variantRows;
    }

    @Override
    public Action action() {
        return Action.ROLLBACK;
    }

    @Override
    public long prepare(JobContext job) {
        return rows.prepare(job, MigrationRepository.IN_R2, List.of());
    }

    @Override
    public List<WorkRow> page(JobContext job, String afterId, String throughId, int size) {
        return rows.page(job, MigrationRepository.IN_R2, List.of(), afterId, throughId, size);
    }

    @Override
    public Uni<Processed> process(JobContext job, WorkRow row, long ordinal) {
        if (job.options().dry()) {
            long size = row.sizeBytes() == null ? 0 : row.sizeBytes();
            String kind = row.hasBase64() ? "from-retained" : null;
            return Blocking.call(() -> variantRows.ofImage(row.id()).size()).map(count -> new Processed(
                    ItemResult.succeeded(row.id(), size, 0, 0, kind, row.r2Key(), null)
                            .withVariants(new ItemResult.Variants(count, null, null, null)), false));
        }
        int attempt = job.nextAttempt(row.id());
        return Blocking.call(() -> retained(row)).chain(retained -> {
            if (retained.isPresent()) {
                return commit(job, row, retained.get(), ImageBytes.decodeBase64(retained.get()).orElseThrow(),
                        "from-retained", attempt);
            }
            return storage.getBytes(row.r2Key()).chain(found -> {
                if (found.isEmpty()) {
                    return Processed.uncommitted(ItemResult.failed(row.id(), attempt, "object " + row.r2Key()
                            + " is missing and the row has no base64 left; nothing to restore"));
                }
                byte[] bytes = found.get();
                String sha = ImageBytes.sha256Hex(bytes);
                if (row.sha256() != null && !row.sha256().equalsIgnoreCase(sha)) {
                    return Processed.uncommitted(ItemResult.failed(row.id(), attempt, "object bytes have SHA-256 " + sha
                            + ", not the recorded " + row.sha256() + "; the row keeps its key"));
                }
                return commit(job, row, ImageBytes.encodeBase64(bytes), bytes, null, attempt);
            });
        }).onFailure(StorageFailures::ofImage)
                .recoverWithItem(e -> new Processed(ItemResult.failed(row.id(), attempt, StorageFailures.message(e)), false));
    }

    /** Retained base64 that still decodes to the recorded bytes; it is kept as it is, so it stays byte-identical. */
    private Optional<String> retained(WorkRow row) {
        if (!row.hasBase64()) {
            return Optional.empty();
        }
        return images.imageData(row.id()).map(MigrationRepository.StoredData::imageData)
                .filter(data -> ImageBytes.decodeBase64(data)
                        .map(bytes -> row.sha256() == null || row.sha256().equalsIgnoreCase(ImageBytes.sha256Hex(bytes)))
                        .orElse(false));
    }

    private Uni<Processed> commit(JobContext job, WorkRow row, String base64, byte[] bytes, String kind, int attempt) {
        String mime = ImageType.sniff(bytes).map(ImageType::mimeType)
                .orElse(row.contentType() != null ? row.contentType() : row.imageMimeType());
        return rows.commit(job, (tx, now) -> images.rollback(tx, row.id(), row.r2Key(), base64, mime,
                Instant.ofEpochMilli(now).getEpochSecond())
                        ? ItemResult.succeeded(row.id(), bytes.length, 0, attempt, kind, row.r2Key(), null)
                        : ItemResult.skipped(row.id(), "changed", "the row no longer points at " + row.r2Key()))
                .chain(result -> result.outcome() != ItemResult.Outcome.SUCCEEDED ? Uni.createFrom().item(result)
                        : (job.options().deleteObjects() ? deleteObject(result) : Uni.createFrom().item(result))
                                .chain(this::deleteVariants)
                                .call(after -> Blocking.run(() -> rows.update(job, after))))
                .map(result -> new Processed(result, true));
    }

    /**
     * After the row is committed: variants are derived from an object the row no longer points at, so they go, rows
     * before objects. A failure leaves the rollback done; the orphan cleanup removes what is left.
     */
    private Uni<ItemResult> deleteVariants(ItemResult r) {
        return variants.deleteAll(r.imageId())
                .map(deleted -> r.withVariants(new ItemResult.Variants(deleted, null, null, null)))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("Rollback of %s: variants not all deleted: %s", r.imageId(), e.getMessage());
                    return r.withVariants(new ItemResult.Variants(0, null, null, "variants not all deleted: "
                            + StorageFailures.message(e) + "; cleanup removes the rest"));
                });
    }

    /** After the row is committed; a failed delete leaves an orphan (listed by validate) but loses nothing. */
    private Uni<ItemResult> deleteObject(ItemResult r) {
        // Keys written before they were injective may be shared: the object stays while another row points at it.
        return Blocking.call(() -> images.keyOwner(r.key(), r.imageId())).chain(owner -> owner.isPresent()
                ? Uni.createFrom().item(withNote(r, "object kept: image " + owner.get() + " points at it too"))
                : storage.delete(r.key()).map(ignored -> withNote(r, "object-deleted")))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("Rollback of %s: object %s not deleted: %s", r.imageId(), r.key(), e.getMessage());
                    return withNote(r, "delete failed: " + StorageFailures.message(e));
                });
    }

    private static ItemResult withNote(ItemResult r, String note) {
        return r.withNote(note);
    }
}
