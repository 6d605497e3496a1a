package io.zinteract.images.generation;

import io.smallrye.config.ConfigMapping;

import java.time.Duration;
import java.util.Optional;

/** The image generation provider behind {@code POST /api/generate-image}. */
@ConfigMapping(prefix = "generation")
public interface GenerationConfig {

    /** Which provider generates images: {@code placeholder} (in-process PNG, no account) or {@code openai} ({@code IMAGE_PROVIDER}). */
    String provider();

    /** Base URL of an OpenAI-compatible images API, without {@code /v1} ({@code IMAGE_PROVIDER_URL}). */
    String url();

    /** API key sent as a bearer token to the provider; never logged ({@code IMAGE_PROVIDER_API_KEY}). */
    Optional<String> apiKey();

    /** Model name sent to the OpenAI-compatible API ({@code IMAGE_PROVIDER_MODEL}). */
    String model();

    /** Limit on one provider call; generation is slow, so this is generous ({@code IMAGE_PROVIDER_TIMEOUT}). */
    Duration timeout();
}
