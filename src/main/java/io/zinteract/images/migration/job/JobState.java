package io.zinteract.images.migration.job;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Optional;

/** Life of a job. {@code running}, {@code paused} and {@code waiting-for-storage} are active: they hold the job's lock. */
public enum JobState {
    RUNNING("running"),
    PAUSED("paused"),
    WAITING_FOR_STORAGE("waiting-for-storage"),
    COMPLETED("completed"),
    FAILED("failed"),
    CANCELLED("cancelled");

    private final String wire;

    JobState(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    public boolean active() {
        return this == RUNNING || this == PAUSED || this == WAITING_FOR_STORAGE;
    }

    public static JobState of(String wire) {
        return find(wire).orElseThrow(() -> new IllegalArgumentException("unknown job state " + wire));
    }

    public static Optional<JobState> find(String wire) {
        for (JobState state : values()) {
            if (state.wire.equals(wire)) {
                return Optional.of(state);
            }
        }
        return Optional.empty();
    }
}
