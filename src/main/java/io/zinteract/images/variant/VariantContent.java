package io.zinteract.images.variant;

import io.zinteract.images.variant.data.VariantRecord;

/** Where a requested variant is: kept in the bucket (served like an R2 original), or in memory (a database image's). */
public sealed interface VariantContent {

    record Kept(VariantRecord variant) implements VariantContent {
    }

    record Cached(VariantCache.Entry entry) implements VariantContent {
    }
}
