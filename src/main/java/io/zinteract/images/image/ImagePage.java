package io.zinteract.images.image;

import io.quarkus.runtime.annotations.RegisterForReflection;

import java.util.List;

/** One page of the listing; {@code nextCursor} is null on the last page. */
@RegisterForReflection
public record ImagePage(List<ImageMeta> items, String nextCursor) {
}
