package io.zinteract.images.generation;

/**
 * What a provider answered: the image bytes themselves ({@code b64_json}) or a temporary URL to fetch them from.
 * Exactly one of the two is set.
 */
public record ProviderImage(byte[] bytes, String url) {

    public static ProviderImage ofBytes(byte[] bytes) {
        return new ProviderImage(bytes, null);
    }

    public static ProviderImage ofUrl(String url) {
        return new ProviderImage(null, url);
    }
}
