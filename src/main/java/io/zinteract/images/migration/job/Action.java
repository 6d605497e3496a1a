package io.zinteract.images.migration.job;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;
import java.util.Optional;

/** What a {@code POST /api/migrate-images} asks for: a job to start, or a control of a job that exists. */
public enum Action {
    MIGRATE(true),
    VALIDATE(true),
    ROLLBACK(true),
    PURGE(true),
    BACKUP(true),
    CLEANUP(true),
    VARIANTS(true),
    PAUSE(false),
    RESUME(false),
    CANCEL(false),
    STATUS(false);

    private final boolean startsJob;

    Action(boolean startsJob) {
        this.startsJob = startsJob;
    }

    public boolean startsJob() {
        return startsJob;
    }

    /**
     * Whether a job of this action changes images or objects, and so must run alone. {@code variants} changes no image,
     * but writes objects and rows that only stay right while their image stays in R2: beside a rollback it could make
     * variants of an image just rolled back (after its variants were deleted), and beside a cleanup its fresh objects
     * would be judged while their rows are being written. Running it alone costs nothing that matters: the migration
     * already makes variants of the images it moves.
     */
    public boolean mutating(boolean dryRun) {
        return !dryRun && (this == MIGRATE || this == ROLLBACK || this == PURGE || this == CLEANUP || this == VARIANTS);
    }

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Action> parse(String value) {
        for (Action action : values()) {
            if (action.wire().equals(value)) {
                return Optional.of(action);
            }
        }
        return Optional.empty();
    }
}
