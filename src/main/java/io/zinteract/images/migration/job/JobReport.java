package io.zinteract.images.migration.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.quarkus.runtime.annotations.RegisterForReflection;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
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
            case VALIDATE -> applyValidate(r, bound);
            case ROLLBACK -> applyRollback(r, bound);
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
