package io.zinteract.images.migration.action;

import io.smallrye.mutiny.Uni;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.migration.job.Action;
import io.zinteract.images.migration.job.ItemResult;
import io.zinteract.images.migration.job.JobAction;
import io.zinteract.images.migration.job.JobContext;
import io.zinteract.images.migration.job.StorageFailures;
import io.zinteract.images.migration.job.WorkRow;
import io.zinteract.images.variant.VariantService;
import io.zinteract.images.variant.VariantSettings;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * Backfills variants (issue 12): walks the images in R2 and makes the eager presets' variants each one lacks, with one
 * decode per image ({@link VariantService#makeMissing}); a dry run lists what each lacks and makes nothing. Images
 * are walked, claimed and folded like every other action's, so a job stopped part-way continues where it stood.
 *
 * <p>The variants are objects and rows of their own, written object first; a result is recorded after them, so an
 * image interrupted in between is looked at again and then found complete (or lacking less): nothing is made twice.
 * An image no variant can be made of, or whose object cannot be read, is a failure of that image; a store outage
 * makes the job wait, as for the others.
 */
@ApplicationScoped
public class VariantsAction implements JobAction {

    /** Why a {@code variants} job cannot start: it makes the eager presets' variants, and there are none. */
    public static final String NOTHING_TO_MAKE = "the variants action makes the presets of "
            + "VARIANTS_EAGER_PRESETS, and this service has none (VARIANTS_ENABLED=false or VARIANTS_EAGER_PRESETS empty)";

    private final ImageRows rows;
    private final VariantService variants;
    private final VariantSettings settings;

    VariantsAction(ImageRows rows, VariantService variants, VariantSettings settings) {
        this.rows = rows;
        this.variants = variants;
        this.settings = settings;
    }

    @Override
    public Action action() {
        return Action.VARIANTS;
    }

    @Override
    public long prepare(JobContext job) {
        if (settings.kept().isEmpty()) {
            // Checked on the request too; a job resumed after the settings changed ends here instead of reporting
            // every image complete.
            throw new IllegalStateException(NOTHING_TO_MAKE);
        }
        return rows.prepare(job, MigrationRepository.IN_R2, List.of());
    }

    @Override
    public List<WorkRow> page(JobContext job, String afterId, String throughId, int size) {
        return rows.page(job, MigrationRepository.IN_R2, List.of(), afterId, throughId, size);
    }

    @Override
    public Uni<Processed> process(JobContext job, WorkRow row, long ordinal) {
        int attempt = job.nextAttempt(row.id());
        return Blocking.call(() -> variants.missing(row.id())).chain(missing -> {
            if (missing.isEmpty()) {
                return Uni.createFrom().item(result(row, attempt, 0, missing));
            }
            if (job.options().dry()) {
                return Uni.createFrom().item(result(row, attempt, 0, missing));
            }
            // The bytes are read back from R2 by the service: the walk holds no image bytes.
            return variants.makeMissing(row.id(), null).map(made -> result(row, attempt, made, missing));
        }).map(result -> new Processed(result, false))
                .onFailure(VariantsAction::imageFailure)
                .recoverWithItem(e -> new Processed(ItemResult.failed(row.id(), attempt, reason(e)), false))
                .onFailure(VariantsAction::busy)
                .recoverWithItem(() -> new Processed(ItemResult.deferred(row.id()), false));
    }

    private static ItemResult result(WorkRow row, int attempt, int made, List<String> missing) {
        return ItemResult.succeeded(row.id(), 0, 0, attempt, missing.isEmpty() ? "complete" : null, row.r2Key(), null)
                .withVariants(new ItemResult.Variants(made, List.copyOf(missing), null, null));
    }

    /**
     * A failure of this image alone: it cannot be decoded, is too large, its object is refused. An outage, refused
     * credentials and a full service are not: the runner waits, stops or tries again later.
     */
    static boolean imageFailure(Throwable failure) {
        Throwable t = StorageFailures.unwrap(failure);
        return !StorageFailures.outage(t) && !StorageFailures.fatal(t) && !busy(t);
    }

    /** The variant workers or the memory budget are full: not the image's fault, so it is tried again. */
    static boolean busy(Throwable failure) {
        return StorageFailures.unwrap(failure) instanceof ApiException api
                && (api.code() == ErrorCode.VARIANTS_BUSY || api.code() == ErrorCode.SERVER_BUSY);
    }

    static String reason(Throwable failure) {
        Throwable t = StorageFailures.unwrap(failure);
        String message = StorageFailures.message(t);
        return t instanceof ApiException api ? api.code().name() + ": " + message : message;
    }
}
