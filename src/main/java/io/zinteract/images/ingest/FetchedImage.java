package io.zinteract.images.ingest;


import io.zinteract.images.image.intake.ImageType;
import java.net.URI;

/** An image fetched from a URL: its bytes, the type they really are, and the URL that finally answered. */
public record FetchedImage(byte[] bytes, ImageType type, URI finalUrl) {
}
