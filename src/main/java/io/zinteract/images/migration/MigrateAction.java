package io.zinteract.images.migration;

import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.config.MigrationConfig;
import io.zinteract.images.config.ServiceConfig;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.db.Jdbc;
import io.zinteract.images.image.intake.ImageBytes;
import io.zinteract.images.image.intake.ImageDefect;
import io.zinteract.images.image.intake.ImageStructure;
import io.zinteract.images.image.intake.ImageType;
import io.zinteract.images.storage.NewObjects;
import io.zinteract.images.storage.model.ObjectHead;
import io.zinteract.images.storage.ObjectKeyConflictException;
import io.zinteract.images.storage.ObjectKeys;
import io.zinteract.images.storage.model.PutObject;
import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.storage.R2Urls;
import io.zinteract.images.storage.StorageClassPolicy;
import io.zinteract.images.storage.StorageException;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Moves base64 rows into R2. Per image, in this order: decode and check, sniff the true type, hash (SHA-256, MD5),
 * PUT with Content-MD5 to the image's deterministic key, HEAD to verify size and ETag, and only then one transaction
 * that points the row at the object and clears its base64 (unless retained). A crash between any two steps leaves the
 * row as it was, and the next try finds its own object at the same key.
 *
 * <p>A key is never taken from another image: one that another row points at, or whose object is not provably this
 * row's bytes ({@link NewObjects}), fails the row with a {@code key conflict} and keeps its base64; a dry run looks
 * for the same conflicts with a HEAD per image.
 */
@ApplicationScoped
public class MigrateAction implements JobAction {

    private static final Logger LOG = Logger.getLogger(MigrateAction.class);
    private static final BigDecimal GB = BigDecimal.valueOf(1_000_000_000L);

    private final MigrationRepository images;
    private final JobRepository jobs;
    private final Jdbc jdbc;
    private final R2Storage storage;
    private final R2Urls urls;
    private final ObjectKeys keys;
    private final ServiceConfig service;
    private final MigrationConfig config;
    private final MigrationMetrics metrics;
    private final StorageClassPolicy classes;
    private final NewObjects newObjects;

    public MigrateAction(MigrationRepository images, JobRepository jobs, Jdbc jdbc, R2Storage storage, R2Urls urls,
            ObjectKeys keys, ServiceConfig service, MigrationConfig config, MigrationMetrics metrics,
            StorageClassPolicy classes, NewObjects newObjects) {
        this.newObjects = newObjects;
        this.images = images;
        this.jobs = jobs;
        this.jdbc = jdbc;
        this.storage = storage;
        this.urls = urls;
        this.keys = keys;
        this.service = service;
        this.config = config;
        this.metrics = metrics;
        this.classes = classes;
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
        return images.page(MigrationRepository.PENDING, List.of(), job.options().imageIds(), afterId, throughId, size);
    }

    @Override
    public Uni<Processed> process(JobContext job, WorkRow row, long ordinal) {
        return Blocking.call(() -> read(row)).chain(candidate -> {
            if (candidate.skip() != null) {
                return Processed.uncommitted(ItemResult.skipped(row.id(), "changed", candidate.skip()));
            }
            if (candidate.invalid() != null) {
                int attempts = job.nextAttempt(row.id());
                ItemResult failed = ItemResult.failed(row.id(), attempts, candidate.invalid(), candidate.conflict()
                        ? CONFLICT : null, candidate.key());
                return job.options().dry() ? Processed.uncommitted(failed) : commitFailure(job, failed);
            }
            if (job.options().dry()) {
                long reclaim = job.options().retain() ? 0 : candidate.base64().length();
                return newObjects.conflictAt(candidate.key(), identity(candidate)).map(conflict -> new Processed(
                        conflict != null ? ItemResult.failed(row.id(), 0, conflict, CONFLICT, candidate.key())
                                : ItemResult.succeeded(row.id(), candidate.bytes().length, reclaim, 0, null,
                                        candidate.key(), candidate.note()).withSuspicious(suspicion(candidate)), false));
            }
            Timer.Sample sample = Timer.start();
            return uploadVerified(job, candidate)
                    .invoke(() -> sample.stop(metrics.uploadTimer()))
                    .chain(verified -> verified.problem() != null
                            ? commitFailure(job, ItemResult.failed(row.id(), verified.attempts(), verified.problem(),
                                    verified.conflict() ? CONFLICT : null, candidate.key()))
                            : commit(job, candidate, verified));
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

    /** {@link ItemResult#kind()} of a row whose key holds, or another row claims, another image. */
    static final String CONFLICT = "conflict";

    /** An image read and checked; exactly one of skip, invalid (a key conflict among them) or the payload is set. */
    record Candidate(String id, String skip, String invalid, String base64, byte[] bytes, ImageType type, String key,
            String sha256, byte[] md5, String note, String storageClass, boolean conflict) {
        Candidate(String id, String skip, String invalid, String base64, byte[] bytes, ImageType type, String key,
                String sha256, byte[] md5, String note, String storageClass) {
            this(id, skip, invalid, base64, bytes, type, key, sha256, md5, note, storageClass, false);
        }
    }

    private static NewObjects.Identity identity(Candidate c) {
        return new NewObjects.Identity(c.id(), c.bytes().length, c.sha256(), HexFormat.of().formatHex(c.md5()));
    }

    private Candidate read(WorkRow row) {
        Optional<MigrationRepository.StoredData> stored = images.imageData(row.id());
        if (stored.isEmpty()) {
            return new Candidate(row.id(), "the row was deleted meanwhile", null, null, null, null, null, null, null, null, null);
        }
        String base64 = stored.get().imageData();
        if (stored.get().r2Key() != null || base64 == null || base64.isEmpty()) {
            return new Candidate(row.id(), "the row was migrated or emptied meanwhile", null, null, null, null, null, null, null, null, null);
        }
        Optional<byte[]> decoded = ImageBytes.decodeBase64(base64);
        if (decoded.isEmpty()) {
            return invalid(row, "image_data is not valid base64");
        }
        byte[] bytes = decoded.get();
        if (bytes.length == 0) {
            return invalid(row, "image_data decodes to no bytes");
        }
        if (bytes.length > service.maxImageBytes()) {
            return invalid(row, "the image is " + bytes.length + " bytes, over MAX_IMAGE_BYTES (" + service.maxImageBytes() + ")");
        }
        Optional<ImageType> sniffed = ImageType.sniff(bytes);
        if (sniffed.isEmpty()) {
            return invalid(row, "image_data is not a JPEG, PNG, WebP, GIF or AVIF image");
        }
        ImageType type = sniffed.get();
        String note = null;
        if (row.imageMimeType() != null && ImageType.fromMimeType(row.imageMimeType()).orElse(null) != type) {
            note = "image_mime_type says " + row.imageMimeType() + "; the content is " + type.mimeType();
        }
        String key = keys.forImage(row.personaId(), row.id(), type.extension());
        Optional<String> owner = images.keyOwner(key, row.id());
        if (owner.isPresent()) {
            return new Candidate(row.id(), null, ObjectKeyConflictException.PREFIX + "object key " + key
                    + " is already the key of image " + owner.get() + "; base64 kept", null, null, null, key, null,
                    null, null, null, true);
        }
        return new Candidate(row.id(), null, null, base64, bytes, type, key, ImageBytes.sha256Hex(bytes), ImageBytes.md5(bytes), note,
                classes.storageClassFor(row.createdAt() == null ? 0 : row.createdAt()));
    }

    /**
     * Why a legacy image would be refused as a new upload, or null. It is migrated all the same (refusing it would
     * block or lose data that is served today); the report lists it under {@code suspicious}.
     */
    private String suspicion(Candidate c) {
        try {
            ImageStructure.check(c.type(), c.bytes(), service.maxImagePixels());
            return null;
        } catch (ImageDefect defect) {
            return defect.reason();
        }
    }

    private static Candidate invalid(WorkRow row, String reason) {
        return new Candidate(row.id(), null, reason, null, null, null, null, null, null, null, null);
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
        Uni<String> put = newObjects.put(object, identity(c));
        Uni<String> checked = job.options().verifyByPutEtag() && storage.etagIsMd5()
                ? put.map(etag -> etagProblem(etag, md5Hex))
                : put.chain(() -> storage.head(c.key()))
                        .map(head -> problem(head, c.bytes().length, storage.etagIsMd5() ? md5Hex : null));
        return checked
                .onFailure(e -> e instanceof StorageException s && !s.transientFailure() && !StorageFailures.fatal(e)
                        && !(e instanceof ObjectKeyConflictException))
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

    private Uni<Processed> commit(JobContext job, Candidate c, Verified verified) {
        String id = c.id();
        boolean retain = job.options().retain();
        return Blocking.call(() -> jdbc.inTransaction(tx -> {
            long now = System.currentTimeMillis();
            MigrationRepository.Migrated m = new MigrationRepository.Migrated(id, c.base64(), c.key(), verified.etag(),
                    c.sha256(), c.bytes().length, c.type().mimeType(), c.storageClass(), urls.publicUrl(c.key()).orElse(null), retain,
                    Instant.ofEpochMilli(now).getEpochSecond());
            ItemResult result = images.completeMigration(tx, m)
                    ? ItemResult.succeeded(id, c.bytes().length, retain ? 0 : c.base64().length(), verified.attempts(),
                            retain ? "retained" : null, c.key(), c.note()).withSuspicious(suspicion(c))
                    : ItemResult.skipped(id, "changed", "the row changed while its object was uploaded; left as it is");
            jobs.recordItem(tx, job, result, now);
            return result;
        })).call(result -> result.outcome() == ItemResult.Outcome.SKIPPED ? dropOrphan(id, c.key())
                : Uni.createFrom().voidItem())
                .map(result -> new Processed(result, true));
    }

    /** The row changed under us: delete our object unless the row now points at that very key. */
    private Uni<Void> dropOrphan(String id, String key) {
        return Blocking.call(() -> images.imageData(id).map(MigrationRepository.StoredData::r2Key).orElse(null))
                .chain(current -> key.equals(current) ? Uni.createFrom().voidItem() : storage.delete(key))
                .onFailure().invoke(e -> LOG.warnf("Object %s of changed image %s could not be deleted: %s", key, id,
                        e.getMessage()))
                .onFailure().recoverWithNull();
    }

    private Uni<Processed> commitFailure(JobContext job, ItemResult failed) {
        return Blocking.call(() -> jdbc.inTransaction(tx -> {
            images.markFailed(tx, failed.imageId());
            jobs.recordItem(tx, job, failed, System.currentTimeMillis());
            return new Processed(failed, true);
        }));
    }
}
