package io.zinteract.images.storage;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Which R2 storage class an image is written with. Infrequent Access costs less per GB-month but bills a 30-day
 * minimum and a retrieval fee on every read, so only images old enough to be rarely looked at go there
 * ({@code R2_IA_AFTER_DAYS}). The upload path and the migration engine both ask here, so one rule decides.
 */
@ApplicationScoped
public class StorageClassPolicy {

    public static final String STANDARD = "STANDARD";
    public static final String STANDARD_IA = "STANDARD_IA";
    /** The classes R2 offers. */
    public static final Set<String> CLASSES = Set.of(STANDARD, STANDARD_IA);

    private final OptionalInt iaAfterDays;
    private final Clock clock;

    @Inject
    public StorageClassPolicy(R2Config config) {
        this(config.iaAfterDays(), Clock.systemUTC());
    }

    StorageClassPolicy(OptionalInt iaAfterDays, Clock clock) {
        this.iaAfterDays = iaAfterDays;
        this.clock = clock;
    }

    /**
     * The class for an image created at {@code createdAtEpochSeconds} (Unix seconds): {@link #STANDARD_IA} once it is
     * at least {@code R2_IA_AFTER_DAYS} days old, else {@link #STANDARD}. Never null, so what is sent and what the
     * row records are the same word.
     */
    public String storageClassFor(long createdAtEpochSeconds) {
        if (iaAfterDays.isEmpty()) {
            return STANDARD;
        }
        long ageSeconds = clock.instant().getEpochSecond() - createdAtEpochSeconds;
        return ageSeconds >= Duration.ofDays(iaAfterDays.getAsInt()).toSeconds() ? STANDARD_IA : STANDARD;
    }
}
