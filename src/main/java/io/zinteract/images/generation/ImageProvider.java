package io.zinteract.images.generation;

import io.smallrye.mutiny.Uni;

/** One way of turning a prompt into an image. */
public interface ImageProvider {

    /** The name clients ask for and rows record in {@code provider}. */
    String name();

    /** Whether this provider can be used with the current settings (an API key, for instance). */
    boolean available();

    Uni<ProviderImage> generate(String prompt, String size, String quality);
}
