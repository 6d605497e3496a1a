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

    /** Whether a job of this action changes images or objects, and so must run alone. */
    public boolean mutating(boolean dryRun) {
        return !dryRun && (this == MIGRATE || this == ROLLBACK || this == PURGE || this == CLEANUP);
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
