package io.zinteract.images.tiering;

import io.zinteract.images.image.data.ImageRowCache;
import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.storage.StorageClassPolicy;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Moves existing images between R2 storage classes: each object is copied onto itself with the new class, then its
 * row records the class. The object moves first, so a row never claims a class its object does not have; a failure
 * leaves that image as it was, to be picked up by the next call. Objects go one at a time: the store's write limits
 * and the fault-tolerance budget are per call, and a bounded {@code limit} keeps one request short.
 */
@ApplicationScoped
public class RetierService {

    private static final Logger LOG = Logger.getLogger(RetierService.class);
    static final int DEFAULT_LIMIT = 500;
    static final int MAX_LIMIT = 10_000;
    static final int MAX_DAYS = 36_500;
    static final int LISTED_FAILURES = 50;

    private final RetierRepository repository;
    private final R2Storage storage;
    private final ImageRowCache rows;

    public RetierService(RetierRepository repository, R2Storage storage, ImageRowCache rows) {
        this.repository = repository;
        this.storage = storage;
        this.rows = rows;
    }

    record Checked(int olderThanDays, String storageClass, boolean dryRun, int limit) {
    }

    private record Selection(long matched, List<RetierRepository.Candidate> selected) {
    }

    private record Outcome(RetierRepository.Candidate candidate, boolean changed, boolean missing, String failure) {
    }

    public Uni<RetierReport> retier(RetierRequest request) {
        Checked c = check(request);
        long now = Instant.now().getEpochSecond();
        long createdBefore = now - Duration.ofDays(c.olderThanDays()).toSeconds();
        return Blocking.call(() -> new Selection(repository.count(createdBefore, c.storageClass()),
                repository.candidates(createdBefore, c.storageClass(), c.limit())))
                .chain(found -> {
                    if (c.dryRun()) {
                        return Uni.createFrom().item(new RetierReport(c.storageClass(), c.olderThanDays(), createdBefore,
                                true, found.matched(), found.selected().size(), 0, 0, 0, found.matched(), List.of()));
                    }
                    return Multi.createFrom().iterable(found.selected())
                            .onItem().transformToUniAndConcatenate(candidate -> move(candidate, c.storageClass()))
                            .collect().asList()
                            .map(outcomes -> report(c, createdBefore, found.matched(), found.selected().size(), outcomes));
                });
    }

    static Checked check(RetierRequest r) {
        if (r == null) {
            throw new ApiException(ErrorCode.MISSING_FIELD, "a JSON body {olderThanDays, storageClass} is required");
        }
        if (r.olderThanDays() == null) {
            throw new ApiException(ErrorCode.MISSING_FIELD, "olderThanDays is required");
        }
        if (r.olderThanDays() < 0 || r.olderThanDays() > MAX_DAYS) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "olderThanDays must be from 0 to " + MAX_DAYS);
        }
        if (r.storageClass() == null || r.storageClass().isBlank()) {
            throw new ApiException(ErrorCode.MISSING_FIELD, "storageClass is required: one of "
                    + StorageClassPolicy.CLASSES);
        }
        String storageClass = r.storageClass().trim().toUpperCase(Locale.ROOT);
        if (!StorageClassPolicy.CLASSES.contains(storageClass)) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "storageClass must be STANDARD or STANDARD_IA, the "
                    + "classes R2 offers");
        }
        int limit = r.limit() == null ? DEFAULT_LIMIT : r.limit();
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ApiException(ErrorCode.INVALID_REQUEST, "limit must be from 1 to " + MAX_LIMIT);
        }
        return new Checked(r.olderThanDays(), storageClass, Boolean.TRUE.equals(r.dryRun()), limit);
    }

    private Uni<Outcome> move(RetierRepository.Candidate candidate, String storageClass) {
        return storage.changeStorageClass(candidate.r2Key(), storageClass)
                .chain(copied -> copied.isEmpty()
                        ? Uni.createFrom().item(new Outcome(candidate, false, true, null))
                        : Blocking.call(() -> repository.recordStorageClass(candidate, storageClass,
                                Instant.now().getEpochSecond()))
                                .invoke(() -> rows.invalidate(candidate.id()))
                                .map(recorded -> new Outcome(candidate, recorded, false,
                                        recorded ? null : "the image changed while its object was copied")))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("Could not move %s to %s: %s", candidate.r2Key(), storageClass, e.getMessage());
                    return new Outcome(candidate, false, false, String.valueOf(e.getMessage()));
                });
    }

    private static RetierReport report(Checked c, long createdBefore, long matched, int selected, List<Outcome> outcomes) {
        int changed = 0;
        int missing = 0;
        List<RetierReport.Failure> failures = new ArrayList<>();
        for (Outcome o : outcomes) {
            if (o.changed()) {
                changed++;
            } else if (o.missing()) {
                missing++;
                if (failures.size() < LISTED_FAILURES) {
                    failures.add(new RetierReport.Failure(o.candidate().id(), o.candidate().r2Key(), "object not found"));
                }
            } else if (failures.size() < LISTED_FAILURES) {
                failures.add(new RetierReport.Failure(o.candidate().id(), o.candidate().r2Key(), o.failure()));
            }
        }
        int failed = outcomes.size() - changed - missing;
        LOG.infof("Re-tiering to %s: %d of %d matching image(s) moved, %d missing, %d failed", c.storageClass(),
                changed, matched, missing, failed);
        return new RetierReport(c.storageClass(), c.olderThanDays(), createdBefore, false, matched, selected, changed,
                missing, failed, matched - changed, failures);
    }
}
