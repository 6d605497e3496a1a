package io.zinteract.images.migration.action;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.image.intake.ImageBytes;
import io.zinteract.images.migration.job.Action;
import io.zinteract.images.migration.job.ImageNote;
import io.zinteract.images.migration.job.ItemResult;
import io.zinteract.images.migration.job.JobAction;
import io.zinteract.images.migration.job.JobContext;
import io.zinteract.images.migration.job.JobReport;
import io.zinteract.images.migration.job.Listing;
import io.zinteract.images.migration.job.StorageFailures;
import io.zinteract.images.migration.job.WorkRow;
import io.zinteract.images.storage.model.ListPage;
import io.zinteract.images.storage.model.ObjectHead;
import io.zinteract.images.storage.ObjectKeys;
import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.storage.StorageException;
import io.zinteract.images.variant.data.VariantRecord;
import io.zinteract.images.variant.data.VariantRepository;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Checks that every migrated row (or an evenly spread sample) has its object: present, of the recorded size and
 * ETag, and with {@code checkIntegrity} of the recorded SHA-256 once downloaded. With {@code orphans} it then lists
 * the whole key prefix, page by page, for objects no row points at. Key conflicts (rows sharing a key, rows whose
 * migration found another image's object at their key) are reported at the start. Each checked image's variants
 * (issue 12) are checked too, by a HEAD each: their problems are counted apart and make the job not valid. Changes
 * nothing.
 */
@ApplicationScoped
class ValidateAction implements JobAction {

    static final int LIST_PAGE = 1000;

    private final MigrationRepository images;
    private final ImageRows rows;
    private final R2Storage storage;
    private final ObjectKeys keys;
    private final VariantRepository variants;

    ValidateAction(MigrationRepository images, ImageRows rows, R2Storage storage, ObjectKeys keys,
            VariantRepository variants) {
        this.images = images;
        this.rows = rows;
        this.storage = storage;
        this.keys = keys;
        this.variants = variants;
    }

    @Override
    public Action action() {
        return Action.VALIDATE;
    }

    @Override
    public long prepare(JobContext job) {
        JobReport report = job.report();
        long migrated = rows.prepare(job, MigrationRepository.IN_R2, List.of());
        Integer sample = job.options().sampleSize();
        if (sample != null && sample < migrated) {
            // Ids are random UUIDs, so every stride-th row in id order is a random sample; the offset varies it per run.
            long stride = migrated / sample;
            report.sampleStride = stride;
            report.sampleOffset = ThreadLocalRandom.current().nextLong(stride);
        }
        report.valid = 0L;
        Listing<ImageNote> conflicts = images.keyConflicts(job.listBound());
        report.conflicts = conflicts.total == 0 ? null : conflicts;
        return migrated;
    }

    @Override
    public List<WorkRow> page(JobContext job, String afterId, String throughId, int size) {
        return rows.page(job, MigrationRepository.IN_R2, List.of(), afterId, throughId, size);
    }

    @Override
    public Uni<Processed> process(JobContext job, WorkRow row, long ordinal) {
        JobReport report = job.report();
        if (report.sampleStride != null) {
            long sample = job.options().sampleSize();
            if (ordinal % report.sampleStride != report.sampleOffset || ordinal / report.sampleStride >= sample) {
                return Processed.uncommitted(ItemResult.skipped(row.id(), "unsampled", null));
            }
        }
        int attempt = job.nextAttempt(row.id());
        Uni<ItemResult> check = storage.head(row.r2Key()).chain(head -> {
            String problem = headProblem(row, head);
            if (head.isEmpty()) {
                return Uni.createFrom().item(ItemResult.failed(row.id(), attempt, problem, "missing", row.r2Key()));
            }
            if (problem != null) {
                return Uni.createFrom().item(ItemResult.failed(row.id(), attempt, problem, "corrupted", row.r2Key()));
            }
            if (!job.options().integrity()) {
                return Uni.createFrom().item(valid(row, head.get().size(), attempt));
            }
            return storage.getBytes(row.r2Key()).map(bytes -> integrity(row, bytes, attempt));
        });
        return check.onFailure(StorageFailures::ofImage)
                .recoverWithItem(e -> ItemResult.failed(row.id(), attempt, StorageFailures.message(e)))
                .chain(result -> checkVariants(row).map(v -> v == null ? result : result.withVariants(v)))
                .map(result -> new Processed(result, false));
    }

    /**
     * The image's variant rows, each with a HEAD of its object: present and of the row's size. Reported apart from the
     * original (a variant can be made again; the original cannot); null when the image has no variant rows.
     */
    private Uni<ItemResult.Variants> checkVariants(WorkRow row) {
        return Blocking.call(() -> variants.ofImage(row.id())).chain(records -> records.isEmpty()
                ? Uni.createFrom().nullItem()
                : Multi.createFrom().iterable(records)
                        .onItem().transformToUniAndConcatenate(v -> storage.head(v.r2Key())
                                .map(head -> Optional.ofNullable(variantProblem(v, head)))
                                .onFailure(StorageFailures::ofImage)
                                .recoverWithItem(e -> Optional.of(new ItemResult.Problem(v.r2Key(),
                                        ItemResult.Problem.MISMATCHED, "HEAD refused: " + StorageFailures.message(e)))))
                        .collect().asList()
                        .map(found -> new ItemResult.Variants(records.size(), null,
                                found.stream().flatMap(Optional::stream).toList(), null)));
    }

    /** Null when the variant's object is there with its row's size. */
    static ItemResult.Problem variantProblem(VariantRecord v, Optional<ObjectHead> head) {
        if (head.isEmpty()) {
            return new ItemResult.Problem(v.r2Key(), ItemResult.Problem.MISSING, "object is missing");
        }
        if (head.get().size() != v.bytes()) {
            return new ItemResult.Problem(v.r2Key(), ItemResult.Problem.MISMATCHED, "object has " + head.get().size()
                    + " bytes; the row says " + v.bytes());
        }
        return null;
    }

    private static ItemResult valid(WorkRow row, long size, int attempt) {
        return ItemResult.succeeded(row.id(), size, 0, attempt, null, row.r2Key(), null);
    }

    static String headProblem(WorkRow row, Optional<ObjectHead> head) {
        if (head.isEmpty()) {
            return "object " + row.r2Key() + " is missing";
        }
        if (row.sizeBytes() != null && head.get().size() != row.sizeBytes()) {
            return "object has " + head.get().size() + " bytes; the row says " + row.sizeBytes();
        }
        if (row.etag() != null && !row.etag().equalsIgnoreCase(head.get().etag())) {
            return "object ETag " + head.get().etag() + " is not the recorded " + row.etag();
        }
        return null;
    }

    private static ItemResult integrity(WorkRow row, Optional<byte[]> bytes, int attempt) {
        if (bytes.isEmpty()) {
            return ItemResult.failed(row.id(), attempt, "object " + row.r2Key() + " is missing", "missing", row.r2Key());
        }
        String sha = ImageBytes.sha256Hex(bytes.get());
        if (row.sha256() != null && !row.sha256().equalsIgnoreCase(sha)) {
            return ItemResult.failed(row.id(), attempt, "object bytes have SHA-256 " + sha + "; the row says "
                    + row.sha256(), "corrupted", row.r2Key());
        }
        return valid(row, bytes.get().length, attempt);
    }

    /** Lists the whole prefix, a page at a time, and reports keys no row points at. Starts over if interrupted. */
    @Override
    public void afterRows(JobContext job) {
        if (!job.options().scanOrphans()) {
            return;
        }
        JobReport report = job.report();
        report.orphaned = new Listing<>();
        report.orphanedBytes = 0L;
        report.objectsScanned = 0L;
        String token = null;
        do {
            ListPage page = storage.list(keys.prefix(), token, LIST_PAGE).await().indefinitely();
            List<String> listed = page.entries().stream().map(ListPage.Entry::key).toList();
            Set<String> referenced = images.referencedKeys(listed);
            for (ListPage.Entry entry : page.entries()) {
                if (ObjectKeys.isVariantKey(entry.key())) {
                    // Under an empty R2_KEY_PREFIX the listing holds the variants too: rows of image_variants name
                    // them, not images.r2_key, and cleanup judges them.
                    continue;
                }
                report.objectsScanned++;
                if (!referenced.contains(entry.key())) {
                    report.orphan(entry.key(), Math.max(0, entry.size()), job.listBound());
                }
            }
            token = page.nextContinuationToken();
        } while (token != null);
    }
}
