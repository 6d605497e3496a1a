package io.zinteract.images.variant.codec;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What the native image needs for the codec beyond quarkus-awt (which covers the JDK's own ImageIO plugins): the
 * third-party ImageIO providers, which IIORegistry creates reflectively from META-INF/services, and webp-imageio's
 * classes with native methods, whose JNI entry points are listed in
 * META-INF/native-image/io.zinteract/r2-image-service/jni-config.json. The libwebp binary itself is a resource
 * (quarkus.native.resources.includes in application.properties). Plugins also registers the providers itself when the
 * registry lacks them, so a missing services entry costs nothing.
 */
@RegisterForReflection(targets = {
        com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi.class,
        com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageWriterSpi.class,
        com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi.class,
        com.luciad.imageio.webp.WebPImageWriterSpi.class,
        com.luciad.imageio.webp.WebPImageReaderSpi.class,
        com.luciad.imageio.webp.WebPWrapper.class,
})
final class NativeRegistrations {

    private NativeRegistrations() {
    }
}
