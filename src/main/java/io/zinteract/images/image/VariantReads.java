package io.zinteract.images.image;

import io.smallrye.mutiny.Uni;
import io.zinteract.images.image.data.StorageKind;
import io.zinteract.images.variant.VariantContent;
import io.zinteract.images.variant.VariantRequest;
import io.zinteract.images.variant.VariantService;
import io.zinteract.images.variant.VariantSettings;
import io.zinteract.images.variant.data.VariantRecord;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * {@code GET /api/images/{id}?variant=}: the variant found or made by {@link VariantService}, answered the way the
 * image itself would be: a kept variant by the same serve mode as an R2 original (redirect or streamed, with ranges
 * and If-None-Match), a database image's from memory. The request is checked before anything is looked up.
 */
@ApplicationScoped
public class VariantReads {

    private final VariantSettings settings;
    private final VariantService variants;
    private final ImageReadService reads;

    public VariantReads(VariantSettings settings, VariantService variants, ImageReadService reads) {
        this.settings = settings;
        this.variants = variants;
        this.reads = reads;
    }

    public Uni<ImageContent> content(String id, String variant, String format, String accept, String range,
            String ifNoneMatch) {
        VariantRequest request = VariantRequest.resolve(settings, variant, format, accept);
        return reads.find(id).chain(row -> variants.content(row, request)).chain(content -> {
            if (content instanceof VariantContent.Kept kept) {
                VariantRecord v = kept.variant();
                return reads.fromBucket(new ProxiedImage.BucketObject(v.imageId(), v.r2Key(), v.bytes(), v.sha256()),
                        range, ifNoneMatch);
            }
            var entry = ((VariantContent.Cached) content).entry();
            return Uni.createFrom().item(new ImageContent.Bytes(StorageKind.BASE64, entry.bytes(),
                    entry.format().mimeType(), entry.sha256()));
        });
    }
}
