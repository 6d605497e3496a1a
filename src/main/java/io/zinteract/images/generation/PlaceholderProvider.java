package io.zinteract.images.generation;

import io.smallrye.mutiny.Uni;
import io.zinteract.images.db.Blocking;
import jakarta.enterprise.context.ApplicationScoped;

/** Renders a deterministic PNG in-process, so the whole flow works with no provider account. */
@ApplicationScoped
public class PlaceholderProvider implements ImageProvider {

    @Override
    public String name() {
        return "placeholder";
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public Uni<ProviderImage> generate(String prompt, String size, String quality) {
        String[] wh = size.split("x");
        // Drawing a megapixel takes tens of milliseconds: not on the event loop.
        return Blocking.call(() -> ProviderImage.ofBytes(
                PlaceholderRenderer.render(prompt, Integer.parseInt(wh[0]), Integer.parseInt(wh[1]))));
    }
}
