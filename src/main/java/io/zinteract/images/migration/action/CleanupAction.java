package io.zinteract.images.migration.action;

import io.zinteract.images.upload.UploadConfig;
import io.zinteract.images.migration.engine.MigrationConfig;
import io.zinteract.images.migration.job.Action;
import io.zinteract.images.migration.job.ImageNote;
import io.zinteract.images.migration.job.JobContext;
import io.zinteract.images.migration.job.JobReport;
import io.zinteract.images.migration.job.Listing;
import io.zinteract.images.migration.job.StorageFailures;
import io.zinteract.images.storage.model.ListPage;
import io.zinteract.images.storage.ObjectKeys;
import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.storage.StorageException;
import io.zinteract.images.upload.PendingUploadRepository;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Removes objects that no row references: left by a process killed between an object's upload and its row, or the
 * staging objects of presigned uploads that were completed, rejected or abandoned. Lists the image prefix and
 * {@code uploads/} page by page; an object is removed only when no image row points at it, no presigned upload that
 * can still be completed names it (its staging key or its image's key), and it is older than the grace period
 * ({@code MIGRATION_CLEANUP_GRACE}, fixed when the job starts). A dry run lists the same objects and removes none.
 * Interrupted, it starts the listing over: deleting an object twice is harmless. Variants ({@code variants/}) are
 * judged by their {@code image_variants} rows ({@link VariantSweep}).
 */
@ApplicationScoped
class CleanupAction implements RowlessAction {

    static final Duration MIN_GRACE = Duration.ofMinutes(1);

    private final MigrationRepository images;
    private final PendingUploadRepository uploads;
    private final R2Storage storage;
    private final ObjectKeys keys;
    private final MigrationConfig config;
    private final UploadConfig uploadConfig;
    private final VariantSweep variants;

    CleanupAction(MigrationRepository images, PendingUploadRepository uploads, R2Storage storage, ObjectKeys keys,
            MigrationConfig config, UploadConfig uploadConfig, VariantSweep variants) {
        this.images = images;
        this.uploads = uploads;
        this.storage = storage;
        this.keys = keys;
        this.config = config;
        this.uploadConfig = uploadConfig;
        this.variants = variants;
    }

    @Override
    public Action action() {
        return Action.CLEANUP;
    }

    @Override
    public long prepare(JobContext job) {
        Duration grace = config.cleanupGrace().compareTo(MIN_GRACE) < 0 ? MIN_GRACE : config.cleanupGrace();
        // Fixed once, so a resumed job judges age by the same instant it counted with.
        job.report().cutoff = Instant.now().minus(grace).getEpochSecond();
        return 0;
    }

    @Override
    public void afterRows(JobContext job) {
        JobReport report = job.report();
        report.orphaned = new Listing<>();
        report.orphanedBytes = 0L;
        report.objectsScanned = 0L;
        report.objectsDeleted = job.options().dry() ? null : 0L;
        report.keptYoung = 0L;
        report.keptInFlight = 0L;
        report.deleteFailures = null;
        report.staleVariantRows = 0L;
        for (String prefix : prefixes(keys.prefix())) {
            String token = null;
            do {
                ListPage page = storage.list(prefix, token, ValidateAction.LIST_PAGE).await().indefinitely();
                report.objectsScanned += page.entries().size();
                // Variants are judged by their own rows (an empty R2_KEY_PREFIX lists them with the images).
                variants.objects(job, page.entries().stream().filter(e -> ObjectKeys.isVariantKey(e.key())).toList(),
                        key -> delete(job, key));
                sweep(job, page.entries().stream().filter(e -> !ObjectKeys.isVariantKey(e.key())).toList());
                token = page.nextContinuationToken();
            } while (token != null);
        }
        variants.rows(job, key -> delete(job, key));
    }

    /** The images' prefix, {@code uploads/} and {@code variants/}, each listed once: one inside another is dropped. */
    static List<String> prefixes(String images) {
        List<String> all = List.of(images, ObjectKeys.UPLOAD_PREFIX, ObjectKeys.VARIANT_PREFIX);
        List<String> listed = new ArrayList<>();
        for (String prefix : all) {
            boolean covered = all.stream().anyMatch(other -> !other.equals(prefix) && prefix.startsWith(other));
            if (!covered && !listed.contains(prefix)) {
                listed.add(prefix);
            }
        }
        return listed;
    }

    private void sweep(JobContext job, List<ListPage.Entry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        JobReport report = job.report();
        List<String> listed = entries.stream().map(ListPage.Entry::key).toList();
        Set<String> referenced = new HashSet<>(images.referencedKeys(listed));
        long now = Instant.now().getEpochSecond();
        // A pending upload is in flight until its completion window ends; the grace period is added on top.
        long slack = uploadConfig.completeGrace().toSeconds() + (now - report.cutoff);
        Set<String> inFlight = uploads.inFlightKeys(listed, now, slack);
        List<ListPage.Entry> orphans = new ArrayList<>();
        for (ListPage.Entry entry : entries) {
            if (referenced.contains(entry.key())) {
                continue;
            }
            if (inFlight.contains(entry.key())) {
                report.keptInFlight++;
            } else if (entry.lastModified() == null || entry.lastModified().getEpochSecond() > report.cutoff) {
                report.keptYoung++;
            } else {
                orphans.add(entry);
            }
        }
        for (ListPage.Entry orphan : orphans) {
            if (!job.options().dry() && !delete(job, orphan.key())) {
                continue;
            }
            report.orphan(orphan.key(), Math.max(0, orphan.size()), job.listBound());
            if (!job.options().dry()) {
                report.objectsDeleted++;
            }
        }
    }

    /** True when deleted; a refused delete is reported, an outage propagates so the job waits and starts over. */
    private boolean delete(JobContext job, String key) {
        try {
            storage.delete(key).await().indefinitely();
            return true;
        } catch (StorageException e) {
            if (StorageFailures.outage(e) || StorageFailures.fatal(e)) {
                throw e;
            }
            JobReport report = job.report();
            report.deleteFailures = report.deleteFailures == null ? new Listing<>() : report.deleteFailures;
            report.deleteFailures.add(new ImageNote(key, StorageFailures.message(e)), job.listBound());
            return false;
        }
    }
}
