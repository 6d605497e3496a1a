package io.zinteract.images.variant.codec;

/** An encoded variant: the file's bytes, without any metadata, and its pixel size. */
public record Rendered(byte[] bytes, VariantFormat format, int width, int height) {
}
