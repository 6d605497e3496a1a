package io.zinteract.images.image.data;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Locale;

/** Where an image's bytes live; also the value of the {@code X-Image-Storage} header. */
public enum StorageKind {
    R2,
    BASE64,
    EXTERNAL,
    NONE;

    @JsonValue
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
