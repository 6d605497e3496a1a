package io.zinteract.images.migration.action;

import io.zinteract.images.migration.job.JobContext;
import io.zinteract.images.migration.job.JobReport;
import io.zinteract.images.storage.model.ListPage;
import io.zinteract.images.variant.data.VariantRecord;
import io.zinteract.images.variant.data.VariantRepository;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Cleanup's part for variants (issue 12). An object under {@code variants/} is an orphan when no {@code image_variants}
 * row names it (and it is older than the grace period: a variant's object is written just before its row), or when
 * its row's image is gone or no longer in R2; rows of such images are stale whether or not their object exists. A
 * stale row is deleted before its object, as the variant package does, so a row never names a deleted object.
 */
@ApplicationScoped
class VariantSweep {

    private final VariantRepository variants;
    private final MigrationRepository images;

    VariantSweep(VariantRepository variants, MigrationRepository images) {
        this.variants = variants;
        this.images = images;
    }

    /**
     * Judges one page of listed variant objects; {@code delete} removes an object and answers whether it did (a
     * refused delete is reported by the caller).
     */
    void objects(JobContext job, List<ListPage.Entry> entries, Predicate<String> delete) {
        if (entries.isEmpty()) {
            return;
        }
        JobReport report = job.report();
        boolean dry = job.options().dry();
        Map<String, Optional<VariantRecord>> rows = new LinkedHashMap<>();
        entries.forEach(entry -> rows.put(entry.key(), variants.findByKey(entry.key())));
        Set<String> inR2 = images.inR2(rows.values().stream().flatMap(Optional::stream).map(VariantRecord::imageId)
                .distinct().toList());
        for (ListPage.Entry entry : entries) {
            Optional<VariantRecord> row = rows.get(entry.key());
            if (row.isPresent() && inR2.contains(row.get().imageId())) {
                continue;
            }
            if (row.isEmpty() && (entry.lastModified() == null
                    || entry.lastModified().getEpochSecond() > report.cutoff)) {
                report.keptYoung++;
                continue;
            }
            if (!dry) {
                if (row.isPresent()) {
                    variants.delete(row.get().imageId(), row.get().preset(), row.get().format());
                    // Counted here in a real run; a dry run counts it with the other stale rows (rows()).
                    report.staleVariantRows++;
                }
                if (!delete.test(entry.key())) {
                    continue;
                }
                report.objectsDeleted++;
            }
            report.orphan(entry.key(), Math.max(0, entry.size()), job.listBound());
        }
    }

    /**
     * Rows whose image is gone or no longer in R2, after the listing (a real run has already deleted those whose
     * object it listed): deleted, with their object if one appeared since, or counted in a dry run.
     */
    void rows(JobContext job, Predicate<String> delete) {
        JobReport report = job.report();
        String after = null;
        while (true) {
            List<MigrationRepository.StaleVariant> stale = images.staleVariants(after, ValidateAction.LIST_PAGE);
            for (MigrationRepository.StaleVariant v : stale) {
                report.staleVariantRows++;
                if (!job.options().dry()) {
                    variants.delete(v.imageId(), v.preset(), v.format());
                    delete.test(v.r2Key());
                }
            }
            if (stale.size() < ValidateAction.LIST_PAGE) {
                return;
            }
            after = stale.get(stale.size() - 1).r2Key();
        }
    }
}
