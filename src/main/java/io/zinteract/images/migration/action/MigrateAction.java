package io.zinteract.images.migration.action;

import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.migration.action.Candidates.Candidate;
import io.zinteract.images.migration.engine.MigrationConfig;
import io.zinteract.images.migration.engine.MigrationMetrics;
import io.zinteract.images.migration.job.Action;
import io.zinteract.images.migration.job.ItemResult;
import io.zinteract.images.migration.job.JobAction;
import io.zinteract.images.migration.job.JobContext;
import io.zinteract.images.migration.job.JobReport;
import io.zinteract.images.migration.job.StorageFailures;
import io.zinteract.images.migration.job.WorkRow;
import io.zinteract.images.storage.NewObjects;
import io.zinteract.images.storage.model.ObjectHead;
import io.zinteract.images.storage.ObjectKeyConflictException;
import io.zinteract.images.storage.ObjectKeys;
import io.zinteract.images.storage.model.PutObject;
import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.storage.R2Urls;
import io.zinteract.images.variant.VariantService;
import io.zinteract.images.variant.VariantSettings;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.math.MathContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Moves base64 rows into R2. Per image, in this order: decode and check, sniff the true type, hash (SHA-256, MD5),
 * PUT with Content-MD5 to the image's deterministic key, HEAD to verify size and ETag, and only then the update that
 * points the row at the object and clears its base64 (unless retained), guarded on the very base64 that was uploaded.
 * That update is staged: the engine commits the verified rows of a batch in one transaction, fenced once by the
 * batch's claim. A crash before the commit leaves the rows as they were, and the next try finds each object at its
 * key, holding the row's bytes, and reuses it.
 *
 * <p>A key is never taken from another image: one that another row points at, or whose object is not provably this
 * row's bytes ({@link NewObjects}), fails the row with a {@code key conflict} and keeps its base64; a dry run looks
 * for the same conflicts with a HEAD per image.
 */
@ApplicationScoped
class MigrateAction implements JobAction {

    private static final Logger LOG = Logger.getLogger(MigrateAction.class);
    private static final BigDecimal GB = BigDecimal.valueOf(1_000_000_000L);

    private final MigrationRepository images;
    private final ImageRows rows;
    private final Candidates candidates;
    private final R2Storage storage;
    private final R2Urls urls;
    private final MigrationConfig config;
    private final MigrationMetrics metrics;
    private final NewObjects newObjects;
    private final VariantService variants;
    private final VariantSettings variantSettings;

    MigrateAction(MigrationRepository images, ImageRows rows, Candidates candidates, R2Storage storage, R2Urls urls,
            MigrationConfig config, MigrationMetrics metrics, NewObjects newObjects, VariantService variants,
            VariantSettings variantSettings) {
        this.images = images;
        this.rows = rows;
        this.candidates = candidates;
        this.storage = storage;
        this.urls = urls;
        this.config = config;
        this.metrics = metrics;
        this.newObjects = newObjects;
        this.variants = variants;
        this.variantSettings = variantSettings;
    }

    @Override
    public Action action() {
        return Action.MIGRATE;
    }

    @Override
    public long prepare(JobContext job) {
        Map<String, Long> scope = images.scope(job.options().imageIds());
        job.report().scope().putAll(scope);
        if (job.options().dry()) {
            job.report().r2BytesBefore = images.counts().get("r2Bytes");
        }
        long pending = scope.get("pending");
        return job.options().limit() == null ? pending : Math.min(pending, job.options().limit());
    }

    @Override
    public List<WorkRow> page(JobContext job, String afterId, String throughId, int size) {
        return rows.page(job, MigrationRepository.PENDING, List.of(), afterId, throughId, size);
    }

    @Override
    public Uni<Processed> process(JobContext job, WorkRow row, long ordinal) {
        return Blocking.call(() -> candidates.read(row)).chain(candidate -> {
            if (candidate.skip() != null) {
                return Processed.uncommitted(ItemResult.skipped(row.id(), "changed", candidate.skip()));
            }
            if (candidate.invalid() != null) {
                int attempts = job.nextAttempt(row.id());
                ItemResult failed = ItemResult.failed(row.id(), attempts, candidate.invalid(), candidate.conflict()
                        ? ItemResult.CONFLICT : null, candidate.key());
                return job.options().dry() ? Processed.uncommitted(failed) : failure(images, failed);
            }
            if (job.options().dry()) {
                long reclaim = job.options().retain() ? 0 : candidate.base64().length();
                return newObjects.conflictAt(candidate.key(), Candidates.identity(candidate)).map(conflict -> new Processed(
                        conflict != null ? ItemResult.failed(row.id(), 0, conflict, ItemResult.CONFLICT, candidate.key())
                                : ItemResult.succeeded(row.id(), candidate.bytes().length, reclaim, 0, null,
                                        candidate.key(), candidate.note()).withSuspicious(candidates.suspicion(candidate)), false));
            }
            Timer.Sample sample = Timer.start();
            return uploadVerified(job, candidate)
                    .invoke(() -> sample.stop(metrics.uploadTimer()))
                    .chain(verified -> verified.problem() != null
                            ? failure(images, ItemResult.failed(row.id(), verified.attempts(), verified.problem(),
                                    verified.conflict() ? ItemResult.CONFLICT : null, candidate.key()))
                            // Off the store client's thread: the structure check reads the whole image.
                            : Blocking.call(() -> staged(job, candidate, verified)));
        });
    }

    @Override
    public void afterRows(JobContext job) {
        if (job.options().dry()) {
            JobReport report = job.report();
            BigDecimal price = config.pricePerGbMonth();
            long before = report.r2BytesBefore == null ? 0 : report.r2BytesBefore;
            report.addedMonthlyCostUsd = cost(job.bytes(), price);
            report.monthlyCostUsd = cost(before + job.bytes(), price);
        }
    }

    static BigDecimal cost(long bytes, BigDecimal pricePerGbMonth) {
        return BigDecimal.valueOf(bytes).divide(GB, MathContext.DECIMAL64).multiply(pricePerGbMonth)
                .setScale(6, java.math.RoundingMode.HALF_UP).stripTrailingZeros();
    }

    record Verified(String etag, String problem, int attempts, boolean conflict) {
        Verified(String etag, String problem, int attempts) {
            this(etag, problem, attempts, false);
        }
    }

    /**
     * PUT then HEAD, or with {@code verify: etag} the PUT's own answer: the store checked the Content-MD5 and answers
     * with the MD5 of what it stored (not under SSE-C, where the HEAD stays). An object whose size or ETag is not what
     * was sent is uploaded again, up to the attempt limit.
     */
    private Uni<Verified> uploadVerified(JobContext job, Candidate c) {
        int attempt = job.nextAttempt(c.id());
        String md5Base64 = Base64.getEncoder().encodeToString(c.md5());
        String md5Hex = HexFormat.of().formatHex(c.md5());
        PutObject object = new PutObject(c.key(), c.bytes(), c.type().mimeType(), md5Base64,
                Map.of(NewObjects.IMAGE_ID, ObjectKeys.metadataValue(c.id()), NewObjects.SHA256, c.sha256()),
                c.storageClass());
        Uni<String> put = newObjects.put(object, Candidates.identity(c));
        Uni<String> checked = job.options().verifyByPutEtag() && storage.etagIsMd5()
                ? put.map(etag -> etagProblem(etag, md5Hex))
                : put.chain(() -> storage.head(c.key()))
                        .map(head -> problem(head, c.bytes().length, storage.etagIsMd5() ? md5Hex : null));
        return checked
                .onFailure(e -> StorageFailures.ofImage(e) && !(e instanceof ObjectKeyConflictException))
                .recoverWithItem(e -> StorageFailures.message(e))
                .chain(problem -> {
                    if (problem == null) {
                        return Uni.createFrom().item(new Verified(storage.etagIsMd5() ? md5Hex : null, null, attempt));
                    }
                    if (attempt < config.maxAttempts()) {
                        LOG.warnf("Image %s: %s; uploading again (attempt %d)", c.id(), problem, attempt + 1);
                        return uploadVerified(job, c);
                    }
                    return Uni.createFrom().item(new Verified(null, problem, attempt));
                })
                // Never retried: the object there is another image's, and stays as it is.
                .onFailure(ObjectKeyConflictException.class)
                .recoverWithItem(e -> new Verified(null, e.getMessage() + "; base64 kept", attempt, true));
    }

    static String etagProblem(String etag, String md5Hex) {
        return etag != null && etag.equalsIgnoreCase(md5Hex) ? null
                : "the store answered the PUT with ETag " + etag + ", not the MD5 " + md5Hex;
    }

    static String problem(Optional<ObjectHead> head, long size, String md5Hex) {
        if (head.isEmpty()) {
            return "the object is missing right after its upload";
        }
        if (head.get().size() != size) {
            return "the stored object has " + head.get().size() + " bytes, not " + size;
        }
        // With SSE-C the store hashes the ciphertext, so the ETag says nothing; Content-MD5 was checked on the PUT.
        if (md5Hex != null && (head.get().etag() == null || !head.get().etag().equalsIgnoreCase(md5Hex))) {
            return "the stored object's ETag " + head.get().etag() + " is not the MD5 " + md5Hex;
        }
        return null;
    }

    /**
     * The row's change, committed by the engine with the rest of its batch in one fenced transaction; afterwards the
     * image goes to the variant makers, or (the row changed meanwhile) its object is dropped. What the change needs is
     * taken from the candidate here, so the candidate itself is not held: the base64 for the guarded update, and the
     * decoded bytes only when variants are made in the background (they are within the image's memory permit, held
     * until the commit; passing none would make the variant makers read every object back from the store).
     */
    private Processed staged(JobContext job, Candidate c, Verified verified) {
        String id = c.id();
        boolean retain = job.options().retain();
        ItemResult migrated = ItemResult.succeeded(id, c.bytes().length, retain ? 0 : c.base64().length(),
                verified.attempts(), retain ? "retained" : null, c.key(), c.note()).withSuspicious(candidates.suspicion(c));
        MigrationRepository.Migrated change = new MigrationRepository.Migrated(id, c.base64(), c.key(), verified.etag(),
                c.sha256(), c.bytes().length, c.type().mimeType(), c.storageClass(), urls.publicUrl(c.key()).orElse(null),
                retain, 0);
        byte[] forVariants = variantSettings.background() ? c.bytes() : null;
        return Processed.staged(migrated, new JobAction.Staged() {
            @Override
            public ItemResult apply(Connection tx, long nowMillis) throws SQLException {
                return images.completeMigration(tx, change.at(Instant.ofEpochMilli(nowMillis).getEpochSecond()))
                        ? migrated
                        : ItemResult.skipped(id, "changed", "the row changed while its object was uploaded; left as it is");
            }

            @Override
            public Uni<Void> committed(ItemResult result) {
                rows.committed(id);
                if (result.outcome() == ItemResult.Outcome.SUCCEEDED) {
                    scheduleVariants(id, forVariants);
                    return Uni.createFrom().voidItem();
                }
                return dropOrphan(id, change.key());
            }
        });
    }

    /**
     * Hands the image, now in R2, to the variant makers with the bytes already in memory (no read back). Only after the
     * commit: a variant is derived from an object a row points at. It never holds up or fails the migration; a variant
     * not made now is made on its first request or by a {@code variants} job.
     */
    private void scheduleVariants(String id, byte[] bytes) {
        try {
            variants.schedule(id, bytes);
        } catch (RuntimeException e) {
            LOG.warnf("Image %s migrated; its variants were not scheduled: %s", id, e.getMessage());
        }
    }

    /** The row changed under us: delete our object unless the row now points at that very key. */
    private Uni<Void> dropOrphan(String id, String key) {
        return Blocking.call(() -> images.imageData(id).map(MigrationRepository.StoredData::r2Key).orElse(null))
                .chain(current -> key.equals(current) ? Uni.createFrom().voidItem() : storage.delete(key))
                .onFailure().invoke(e -> LOG.warnf("Object %s of changed image %s could not be deleted: %s", key, id,
                        e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /** A row that cannot be migrated: marked failed in the batch's transaction, with its result. */
    private static Uni<Processed> failure(MigrationRepository images, ItemResult failed) {
        return Uni.createFrom().item(Processed.staged(failed, (tx, now) -> {
            images.markFailed(tx, failed.imageId());
            return failed;
        }));
    }
}
