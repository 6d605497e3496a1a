package io.zinteract.images.variant;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.zinteract.images.admission.MemoryBudget;
import io.zinteract.images.db.Blocking;
import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import io.zinteract.images.image.data.ImageRecord;
import io.zinteract.images.image.data.ImageRepository;
import io.zinteract.images.image.data.ImageRowCache;
import io.zinteract.images.image.data.StorageKind;
import io.zinteract.images.image.intake.ImageBytes;
import io.zinteract.images.storage.R2Storage;
import io.zinteract.images.variant.codec.VariantFormat;
import io.zinteract.images.variant.data.VariantRecord;
import io.zinteract.images.variant.data.VariantRepository;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Variants of stored images: found, or made once (however many clients ask at once) and kept, in the bucket for R2
 * images and in a bounded memory cache for database ones. Also what the other features call when images come and go.
 */
@ApplicationScoped
public class VariantService {

    /** Held per character of a base64 row while it is read and decoded: the text, its bytes and the decoded image. */
    static final int BASE64_READ_FACTOR = 3;
    /**
     * Held per byte of an original read from the bucket: the client's response chunks and the array they are joined
     * into, plus its read-ahead buffer (measured: a burst charged 1 per byte ran a 256 MiB heap out of memory).
     */
    static final int DOWNLOAD_FACTOR = 3;

    private final VariantSettings settings;
    private final VariantRepository variants;
    private final ImageRepository images;
    private final ImageRowCache rows;
    private final VariantRenderer renderer;
    private final VariantStore store;
    private final VariantCache cache;
    private final R2Storage storage;
    private final MemoryBudget budget;
    private final EagerVariants eager;
    private final MeterRegistry registry;
    private final SingleFlight flights = new SingleFlight();

    public VariantService(VariantSettings settings, VariantRepository variants, ImageRepository images,
            ImageRowCache rows, VariantRenderer renderer, VariantStore store, VariantCache cache, R2Storage storage,
            MemoryBudget budget, EagerVariants eager, MeterRegistry registry) {
        this.rows = rows;
        this.settings = settings;
        this.variants = variants;
        this.images = images;
        this.renderer = renderer;
        this.store = store;
        this.cache = cache;
        this.storage = storage;
        this.budget = budget;
        this.eager = eager;
        this.registry = registry;
    }

    /** The variant {@code request} names of the image in {@code row}, made now if it does not exist yet. */
    public Uni<VariantContent> content(ImageRecord row, VariantRequest request) {
        StorageKind kind = row.storage();
        if (kind == StorageKind.R2 && storage.configured()) {
            return kept(row, request);
        }
        if (row.hasBase64()) {
            return cached(row, request);
        }
        return Uni.createFrom().failure(new ApiException(ErrorCode.VARIANT_NOT_POSSIBLE, "image " + row.id()
                + (kind == StorageKind.EXTERNAL ? " is stored at an external URL" : " has no stored content")
                + "; variants are made of images this service holds"));
    }

    private Uni<VariantContent> kept(ImageRecord row, VariantRequest request) {
        return Blocking.call(() -> lookup(row, request)).chain(found -> found.isPresent()
                ? Uni.createFrom().item(new VariantContent.Kept(found.get()))
                : flights.once(new Flight(row.id(), row.r2Key(), request.preset().name(), wire(request.format())),
                        () -> make(row, null, List.of(new VariantRenderer.Target(request.preset(), request.format())),
                                "request"))
                        .map(made -> new VariantContent.Kept(made.get(0))));
    }

    /** The kept variant, if any; for "JPEG or PNG" the alpha recorded with any variant of the image decides which. */
    private Optional<VariantRecord> lookup(ImageRecord row, VariantRequest request) {
        if (request.format() != null) {
            return variants.find(row.id(), request.preset().name(), request.format().wire());
        }
        List<VariantRecord> all = variants.ofImage(row.id());
        if (all.isEmpty()) {
            return Optional.empty();
        }
        String opaque = (all.get(0).alpha() ? VariantFormat.PNG : VariantFormat.JPEG).wire();
        return all.stream().filter(v -> v.preset().equals(request.preset().name()) && v.format().equals(opaque))
                .findFirst();
    }

    /** Renders {@code targets} from the original in the bucket and keeps them; the ThumbHash comes with the first. */
    private Uni<List<VariantRecord>> make(ImageRecord row, byte[] given, List<VariantRenderer.Target> targets,
            String trigger) {
        return withOriginal(row, given, bytes -> renderer.render(row.id(), bytes, targets, row.thumbhash() == null))
                .chain(output -> store.keep(row, output).call(() -> saveThumbHash(row, output)))
                .invoke(made -> registry.counter("variants.made", "trigger", trigger).increment(made.size()))
                .onFailure().invoke(e -> registry.counter("variants.failed", "trigger", trigger).increment());
    }

    /**
     * Runs {@code use} on the original's bytes from the bucket ({@code given} when the caller holds them already). The
     * bytes are charged to the memory budget until {@code use} has finished with them, not just while they download:
     * a burst of requests waiting for a render must not hold originals the budget no longer counts.
     */
    private <T> Uni<T> withOriginal(ImageRecord row, byte[] given, Function<byte[], Uni<T>> use) {
        if (given != null) {
            return use.apply(given);
        }
        long size = row.sizeBytes() == null ? 0 : row.sizeBytes();
        if (size > settings.config().maxSourceBytes()) {
            return Uni.createFrom().failure(new ApiException(ErrorCode.VARIANT_NOT_POSSIBLE, "image " + row.id() + " is "
                    + size + " bytes; variants are made of images up to VARIANTS_MAX_SOURCE_BYTES ("
                    + settings.config().maxSourceBytes() + ")"));
        }
        return budget.reserve(DOWNLOAD_FACTOR * Math.max(size, 1)).chain(permit -> storage.getBytes(row.r2Key())
                .map(found -> found.orElseThrow(() -> new ApiException(ErrorCode.IMAGE_CONTENT_MISSING,
                        "the stored object of image " + row.id() + " is missing from the bucket")))
                .chain(bytes -> use.apply(bytes))
                .onTermination().invoke(permit::release));
    }

    private Uni<Void> saveThumbHash(ImageRecord row, VariantRenderer.Output output) {
        return output.thumbHash() == null ? Uni.createFrom().voidItem()
                : Blocking.run(() -> {
                    variants.setThumbHash(row.id(), output.thumbHash());
                    // The row's metadata now carries the placeholder.
                    rows.invalidate(row.id());
                });
    }

    private Uni<VariantContent> cached(ImageRecord row, VariantRequest request) {
        String version = row.sha256() != null ? row.sha256() : row.updatedAt() + ":" + row.base64Length();
        VariantCache.Key key = new VariantCache.Key(row.id(), version, request.preset().name(), wire(request.format()));
        Optional<VariantCache.Entry> hit = cache.get(key);
        if (hit.isPresent()) {
            return Uni.createFrom().item(new VariantContent.Cached(hit.get()));
        }
        return flights.once(key, () -> withDatabaseBytes(row, bytes -> renderer.render(row.id(), bytes,
                List.of(new VariantRenderer.Target(request.preset(), request.format())), row.thumbhash() == null))
                .call(output -> saveThumbHash(row, output))
                .map(output -> {
                    var r = output.made().get(0).rendered();
                    VariantCache.Entry entry = new VariantCache.Entry(r.bytes(), r.format(), r.width(), r.height(),
                            ImageBytes.sha256Hex(r.bytes()));
                    cache.put(key, entry);
                    registry.counter("variants.made", "trigger", "cache").increment();
                    return new VariantContent.Cached(entry);
                }));
    }

    /** Runs {@code use} on a base64 row's decoded bytes, charged to the memory budget until {@code use} is done. */
    private <T> Uni<T> withDatabaseBytes(ImageRecord row, Function<byte[], Uni<T>> use) {
        return budget.reserve(BASE64_READ_FACTOR * Math.max(row.base64Length(), 1)).chain(permit -> Blocking.call(() -> {
            String data = images.findImageData(row.id()).orElseThrow(() -> new ApiException(ErrorCode.IMAGE_NOT_FOUND,
                    "no image with id " + row.id()));
            return ImageBytes.decodeBase64(data).orElseThrow(() -> new ApiException(ErrorCode.IMAGE_DATA_CORRUPT,
                    "the stored base64 of image " + row.id() + " cannot be decoded"));
        }).chain(bytes -> use.apply(bytes)).onTermination().invoke(permit::release));
    }

    /** Eager, off the request path; never throws, never blocks; {@code original} may be null (read back from R2). */
    public void schedule(String imageId, byte[] original) {
        if (settings.background()) {
            eager.submit(imageId, original);
        }
    }

    /** The eager presets' variants the image lacks, as {@code preset.format}; empty unless it is in R2. Blocking. */
    public List<String> missing(String imageId) {
        return images.findById(imageId).map(row -> missingTargets(row).stream()
                .map(t -> t.preset().name() + "." + t.format().wire()).toList()).orElse(List.of());
    }

    private List<VariantRenderer.Target> missingTargets(ImageRecord row) {
        if (!row.hasR2Object() || !storage.configured()) {
            return List.of();
        }
        List<VariantRecord> have = variants.ofImage(row.id());
        List<VariantRenderer.Target> missing = new ArrayList<>();
        for (Preset p : settings.kept()) {
            if (have.stream().noneMatch(v -> v.preset().equals(p.name()) && v.format().equals(VariantFormat.WEBP.wire()))) {
                missing.add(new VariantRenderer.Target(p, VariantFormat.WEBP));
            }
        }
        return missing;
    }

    /**
     * Makes the eager presets' missing variants now, from one decode, and returns how many were made; {@code original}
     * may be null (read from R2). A database image gets its placeholder only.
     */
    public Uni<Integer> makeMissing(String imageId, byte[] original) {
        return Blocking.call(() -> images.findById(imageId).map(row -> new Work(row, missingTargets(row))))
                .chain(work -> work.isEmpty() ? Uni.createFrom().item(0)
                        : makeFor(work.get().row(), original, work.get().targets()));
    }

    private record Work(ImageRecord row, List<VariantRenderer.Target> targets) {
    }

    private Uni<Integer> makeFor(ImageRecord row, byte[] original, List<VariantRenderer.Target> targets) {
        if (!targets.isEmpty()) {
            return flights.once(new Flight(row.id(), row.r2Key(), "eager", "webp"),
                    () -> make(row, original, targets, "eager").map(List::size));
        }
        if (row.thumbhash() == null && (original != null || row.hasBase64())) {
            Function<byte[], Uni<VariantRenderer.Output>> hash = b -> renderer.render(row.id(), b, List.of(), true);
            return (original != null ? hash.apply(original) : withDatabaseBytes(row, hash))
                    .chain(output -> saveThumbHash(row, output)).replaceWith(0);
        }
        return Uni.createFrom().item(0);
    }

    /** Deletes every variant of the image (rows, then objects) and forgets its cached ones; returns how many rows. */
    public Uni<Integer> deleteAll(String imageId) {
        cache.invalidate(imageId);
        return store.removeAll(imageId);
    }

    private static String wire(VariantFormat format) {
        return format == null ? "auto" : format.wire();
    }

    /** A variant being made for an R2 image: the original's key is part of it, so a re-keyed image is made anew. */
    private record Flight(String imageId, String originalKey, String preset, String format) {
    }
}
