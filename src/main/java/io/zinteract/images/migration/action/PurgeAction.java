package io.zinteract.images.migration.action;

import io.smallrye.mutiny.Uni;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.image.intake.ImageBytes;
import io.zinteract.images.migration.engine.MigrationConfig;
import io.zinteract.images.migration.job.Action;
import io.zinteract.images.migration.job.ItemResult;
import io.zinteract.images.migration.job.JobAction;
import io.zinteract.images.migration.job.JobContext;
import io.zinteract.images.migration.job.StorageFailures;
import io.zinteract.images.migration.job.WorkRow;
import io.zinteract.images.db.Jdbc;
import io.zinteract.images.storage.R2Storage;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The contract step: clears the base64 that {@code migrate} retained, for rows migrated at least
 * {@code olderThanDays} ago, once more verified just before: the retained base64 still has the recorded SHA-256 and
 * the object still has the recorded size and ETag. Anything that does not verify keeps its base64. Variants are
 * made from the objects, which purge keeps, so they need nothing here.
 */
@ApplicationScoped
class PurgeAction implements JobAction {

    static final String CONDITION = MigrationRepository.IN_R2 + " AND " + MigrationRepository.HAS_DATA + " "
            + "AND migration_status = 'completed' AND migrated_at IS NOT NULL AND migrated_at <= ?";

    private final MigrationRepository images;
    private final ImageRows rows;
    private final R2Storage storage;
    private final MigrationConfig config;

    PurgeAction(MigrationRepository images, ImageRows rows, R2Storage storage, MigrationConfig config) {
        this.images = images;
        this.rows = rows;
        this.storage = storage;
        this.config = config;
    }

    @Override
    public Action action() {
        return Action.PURGE;
    }

    @Override
    public long prepare(JobContext job) {
        int days = job.options().olderThanDays() == null ? config.purgeOlderThanDays() : job.options().olderThanDays();
        // Fixed once, so a job resumed days later clears the same rows it counted.
        long cutoff = Instant.now().getEpochSecond() - days * 86_400L;
        job.report().cutoff = cutoff;
        return rows.prepare(job, CONDITION, List.of(cutoff));
    }

    @Override
    public List<WorkRow> page(JobContext job, String afterId, String throughId, int size) {
        return rows.page(job, CONDITION, List.of(job.report().cutoff), afterId, throughId, size);
    }

    @Override
    public Uni<Processed> process(JobContext job, WorkRow row, long ordinal) {
        int attempt = job.nextAttempt(row.id());
        return Blocking.call(() -> images.imageData(row.id())).chain(stored -> {
            Optional<String> base64 = stored.filter(s -> row.r2Key().equals(s.r2Key()))
                    .map(MigrationRepository.StoredData::imageData).filter(s -> !s.isEmpty());
            if (base64.isEmpty()) {
                return Processed.uncommitted(ItemResult.skipped(row.id(), "changed", "the row changed meanwhile"));
            }
            String problem = retainedProblem(row, base64.get());
            if (problem != null) {
                return Processed.uncommitted(ItemResult.failed(row.id(), attempt, problem));
            }
            return storage.head(row.r2Key()).chain(head -> {
                String headProblem = ValidateAction.headProblem(row, head);
                if (headProblem != null) {
                    return Processed.uncommitted(ItemResult.failed(row.id(), attempt, headProblem + "; base64 kept"));
                }
                long reclaimed = base64.get().length();
                if (job.options().dry()) {
                    return Processed.uncommitted(ItemResult.succeeded(row.id(), reclaimed, reclaimed, attempt, null,
                            row.r2Key(), null));
                }
                return commit(job, row, base64.get(), attempt);
            });
        }).onFailure(StorageFailures::ofImage)
                .recoverWithItem(e -> new Processed(ItemResult.failed(row.id(), attempt, StorageFailures.message(e)), false));
    }

    private static String retainedProblem(WorkRow row, String base64) {
        if (row.sha256() == null) {
            return "the row has no recorded SHA-256 to verify its base64 against; base64 kept";
        }
        Optional<byte[]> bytes = ImageBytes.decodeBase64(base64);
        if (bytes.isEmpty() || !row.sha256().equalsIgnoreCase(ImageBytes.sha256Hex(bytes.get()))) {
            return "the retained base64 is not the bytes that were migrated; base64 kept";
        }
        return null;
    }

    private Uni<Processed> commit(JobContext job, WorkRow row, String base64, int attempt) {
        long reclaimed = base64.length();
        return rows.commit(job, (tx, now) -> images.purge(tx, row.id(), row.r2Key(), base64,
                Instant.ofEpochMilli(now).getEpochSecond())
                        ? ItemResult.succeeded(row.id(), reclaimed, reclaimed, attempt, null, row.r2Key(), null)
                        : ItemResult.skipped(row.id(), "changed", "the row changed meanwhile"))
                .map(result -> new Processed(result, true));
    }
}
