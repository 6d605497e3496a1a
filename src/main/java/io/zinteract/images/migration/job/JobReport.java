package io.zinteract.images.migration.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a job found besides its counters, per action; stored as JSON with the job at each checkpoint. Fields an
 * action does not use stay null and are left out of the JSON. Mutated only through {@link #apply} and by the job's
 * own thread, under the lock of the owning active job.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public class JobReport {

    /** Counts of the rows around the job's scope, taken at start: what is already in R2, external, empty. */
    public Map<String, Long> scope;
    /** Where the job stands once prepared: walking the rows, or doing the work after them. */
    public Phase phase;
    /** Rows looked at, sampled or not (validate's sampling counts on it). */
    public Long scanned;
    public Long sampleStride;
    public Long sampleOffset;

    // migrate
    public Listing<String> keys;
    public Listing<ImageNote> invalid;
    public Listing<ImageNote> mimeMismatches;
    /** Migrated (or, dry run, migratable) images that fail the structure checks uploads get, with the reason. */
    public Listing<ImageNote> suspicious;
    public Long retained;
    public Long base64BytesReclaimable;
    public Long base64BytesCleared;
    public Long r2BytesBefore;
    public BigDecimal monthlyCostUsd;
    public BigDecimal addedMonthlyCostUsd;
    /** Migrate and validate: images whose key another image holds (never overwritten; their base64 is kept). */
    public Listing<ImageNote> conflicts;

    // validate
    public Long valid;
    public Listing<String> missing;
    public Listing<String> corrupted;
    public Listing<String> orphaned;
    public Long orphanedBytes;
    public Long objectsScanned;
    public Long unsampled;

    // purge: the migrated_at (Unix seconds) at or before which retained base64 is cleared, fixed at start
    public Long cutoff;

    // rollback
    public Long restoredFromRetained;
    public Long objectsDeleted;
    public Listing<ImageNote> deleteFailures;

    // cleanup: objects left because they are younger than the grace period, or a pending upload may still use them;
    // orphaned lists what was (or, dry run, would be) deleted, objectsDeleted counts it, cutoff is the age limit
    public Long keptYoung;
    public Long keptInFlight;

    // variants: images that lacked none of the eager presets' variants, images that lacked some (made unless a dry
    // run, listed with what they lacked), and the variants made (or, dry run, missing)
    public Long imagesComplete;
    public Long imagesIncomplete;
    public Listing<ImageNote> incomplete;
    public Long variantsMade;
    public Long variantsMissing;

    // variants of validated images: checked, and those whose object is missing or of another size than the row says
    public Long variantsChecked;
    public Long variantObjectsMissing;
    public Long variantObjectsMismatched;
    public Listing<ImageNote> variantProblems;

    // rollback: variants deleted with their image's rollback, and images whose variants could not all be deleted
    public Long variantsDeleted;
    public Listing<ImageNote> variantDeleteFailures;

    // cleanup: image_variants rows whose image is gone or no longer in R2, deleted (or, dry run, that would be)
    public Long staleVariantRows;

    // backup
    public String backupPath;
    public Long backupBytes;

    /** The steps of a job after it is prepared, stored by name ({@code rows}, {@code after-rows}). */
    public enum Phase {
        ROWS("rows"),
        AFTER_ROWS("after-rows");

        private final String wire;

        Phase(String wire) {
            this.wire = wire;
        }

        @JsonValue
        public String wire() {
            return wire;
        }
    }

    /** Folds one image's result into the report; the counters live in the job's row. */
    public void apply(Action action, boolean dryRun, ItemResult r, int bound) {
        switch (action) {
            case MIGRATE -> applyMigrate(dryRun, r, bound);
            case VALIDATE -> {
                applyValidate(r, bound);
                applyVariantChecks(r, bound);
            }
            case ROLLBACK -> {
                applyRollback(r, bound);
                applyVariantDeletes(r, bound);
            }
            case VARIANTS -> applyVariants(dryRun, r, bound);
            case PURGE -> {
                if (r.outcome() == ItemResult.Outcome.SUCCEEDED) {
                    base64BytesCleared = plus(base64BytesCleared, r.base64Bytes());
                }
            }
            default -> {
            }
        }
    }

    private void applyMigrate(boolean dryRun, ItemResult r, int bound) {
        if (r.outcome() == ItemResult.Outcome.FAILED && ItemResult.CONFLICT.equals(r.kind())) {
            conflicts = listing(conflicts);
            conflicts.add(new ImageNote(r.imageId(), r.error()), bound);
            return;
        }
        if (r.outcome() == ItemResult.Outcome.FAILED && dryRun) {
            invalid = listing(invalid);
            invalid.add(new ImageNote(r.imageId(), r.error()), bound);
        }
        if (r.outcome() != ItemResult.Outcome.SUCCEEDED) {
            return;
        }
        if (r.suspicious() != null) {
            suspicious = listing(suspicious);
            suspicious.add(new ImageNote(r.imageId(), r.suspicious()), bound);
        }
        if (r.note() != null) {
            // In migrate results the note is only ever a declared type that the bytes contradict.
            mimeMismatches = listing(mimeMismatches);
            mimeMismatches.add(new ImageNote(r.imageId(), r.note()), bound);
        }
        if (dryRun) {
            keys = listing(keys);
            keys.add(r.key(), bound);
            base64BytesReclaimable = plus(base64BytesReclaimable, r.base64Bytes());
        } else {
            base64BytesCleared = plus(base64BytesCleared, r.base64Bytes());
            if ("retained".equals(r.kind())) {
                retained = plus(retained, 1);
            }
        }
    }

    private void applyValidate(ItemResult r, int bound) {
        scanned = plus(scanned, 1);
        if (r.outcome() == ItemResult.Outcome.SUCCEEDED) {
            valid = plus(valid, 1);
        } else if ("missing".equals(r.kind())) {
            missing = listing(missing);
            missing.add(r.imageId(), bound);
        } else if ("corrupted".equals(r.kind())) {
            corrupted = listing(corrupted);
            corrupted.add(r.imageId(), bound);
        } else if ("unsampled".equals(r.kind())) {
            unsampled = plus(unsampled, 1);
        }
    }

    private void applyRollback(ItemResult r, int bound) {
        if (r.outcome() != ItemResult.Outcome.SUCCEEDED) {
            return;
        }
        if ("from-retained".equals(r.kind())) {
            restoredFromRetained = plus(restoredFromRetained, 1);
        }
        if ("object-deleted".equals(r.note())) {
            objectsDeleted = plus(objectsDeleted, 1);
        } else if (r.note() != null && r.note().startsWith("delete failed")) {
            deleteFailures = listing(deleteFailures);
            deleteFailures.add(new ImageNote(r.imageId(), r.note()), bound);
        }
    }

    private void applyVariants(boolean dryRun, ItemResult r, int bound) {
        ItemResult.Variants v = r.variants();
        if (r.outcome() != ItemResult.Outcome.SUCCEEDED || v == null) {
            return;
        }
        if (v.missing() == null || v.missing().isEmpty()) {
            imagesComplete = plus(imagesComplete, 1);
            return;
        }
        imagesIncomplete = plus(imagesIncomplete, 1);
        incomplete = listing(incomplete);
        incomplete.add(new ImageNote(r.imageId(), String.join(", ", v.missing())), bound);
        if (dryRun) {
            variantsMissing = plus(variantsMissing, v.missing().size());
        } else {
            variantsMade = plus(variantsMade, v.count());
        }
    }

    private void applyVariantChecks(ItemResult r, int bound) {
        ItemResult.Variants v = r.variants();
        if (v == null) {
            return;
        }
        variantsChecked = plus(variantsChecked, v.count());
        for (ItemResult.Problem p : v.problems() == null ? List.<ItemResult.Problem>of() : v.problems()) {
            if (ItemResult.Problem.MISSING.equals(p.kind())) {
                variantObjectsMissing = plus(variantObjectsMissing, 1);
            } else {
                variantObjectsMismatched = plus(variantObjectsMismatched, 1);
            }
            variantProblems = listing(variantProblems);
            variantProblems.add(new ImageNote(r.imageId(), p.key() + ": " + p.detail()), bound);
        }
    }

    private void applyVariantDeletes(ItemResult r, int bound) {
        ItemResult.Variants v = r.variants();
        if (r.outcome() != ItemResult.Outcome.SUCCEEDED || v == null) {
            return;
        }
        variantsDeleted = plus(variantsDeleted, v.count());
        if (v.error() != null) {
            variantDeleteFailures = listing(variantDeleteFailures);
            variantDeleteFailures.add(new ImageNote(r.imageId(), v.error()), bound);
        }
    }

    public void orphan(String key, long size, int bound) {
        orphaned = listing(orphaned);
        orphaned.add(key, bound);
        orphanedBytes = plus(orphanedBytes, size);
    }

    public Map<String, Long> scope() {
        if (scope == null) {
            scope = new LinkedHashMap<>();
        }
        return scope;
    }

    static Long plus(Long value, long delta) {
        return (value == null ? 0 : value) + delta;
    }

    private static <T> Listing<T> listing(Listing<T> existing) {
        return existing == null ? new Listing<>() : existing;
    }
}
