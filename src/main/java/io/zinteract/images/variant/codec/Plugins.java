package io.zinteract.images.variant.codec;

import com.luciad.imageio.webp.WebPImageWriterSpi;
import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import io.zinteract.images.image.intake.ImageType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.function.Supplier;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriter;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.IIOServiceProvider;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.spi.ImageWriterSpi;

/**
 * The ImageIO plugins the codec uses, chosen by class: two WebP readers (TwelveMonkeys and webp-imageio) and two JPEG
 * readers and writers (the JDK's and TwelveMonkeys') register for the same formats, and "the first one registered"
 * depends on class path order. Providers missing from the registry (a native image that did not scan
 * {@code META-INF/services}) are registered here, so {@code onRegistration} still finds its delegates.
 */
final class Plugins {

    private static final String JDK_PNG_READER = "com.sun.imageio.plugins.png.PNGImageReaderSpi";
    private static final String JDK_GIF_READER = "com.sun.imageio.plugins.gif.GIFImageReaderSpi";
    private static final String JDK_JPEG_WRITER = "com.sun.imageio.plugins.jpeg.JPEGImageWriterSpi";
    private static final String JDK_PNG_WRITER = "com.sun.imageio.plugins.png.PNGImageWriterSpi";

    private Plugins() {
    }

    /** A new reader for {@code type}: TwelveMonkeys for JPEG (CMYK, YCCK, ICC) and WebP, the JDK's for PNG and GIF. */
    static ImageReader reader(ImageType type) {
        ImageReaderSpi spi = switch (type) {
            case JPEG -> provider(ImageReaderSpi.class, JPEGImageReaderSpi.class, JPEGImageReaderSpi::new);
            case WEBP -> provider(ImageReaderSpi.class, WebPImageReaderSpi.class, WebPImageReaderSpi::new);
            case PNG -> jdk(ImageReaderSpi.class, JDK_PNG_READER);
            case GIF -> jdk(ImageReaderSpi.class, JDK_GIF_READER);
            case AVIF -> throw new VariantException(VariantException.Reason.UNREADABLE, "AVIF originals are not decoded");
        };
        try {
            return spi.createReaderInstance();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new writer: webp-imageio (libwebp) for WebP, the JDK's for JPEG and PNG. */
    static ImageWriter writer(VariantFormat format) {
        ImageWriterSpi spi = switch (format) {
            case WEBP -> provider(ImageWriterSpi.class, WebPImageWriterSpi.class, WebPImageWriterSpi::new);
            case JPEG -> jdk(ImageWriterSpi.class, JDK_JPEG_WRITER);
            case PNG -> jdk(ImageWriterSpi.class, JDK_PNG_WRITER);
        };
        try {
            return spi.createWriterInstance();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static <C extends IIOServiceProvider, T extends C> T provider(Class<C> category, Class<T> type, Supplier<T> create) {
        IIORegistry registry = IIORegistry.getDefaultInstance();
        T found = registry.getServiceProviderByClass(type);
        if (found == null) {
            registry.registerServiceProvider(create.get(), category);
            found = registry.getServiceProviderByClass(type);
        }
        return found;
    }

    private static <C extends IIOServiceProvider> C jdk(Class<C> category, String className) {
        Iterator<C> all = IIORegistry.getDefaultInstance().getServiceProviders(category, false);
        while (all.hasNext()) {
            C spi = all.next();
            if (spi.getClass().getName().equals(className)) {
                return spi;
            }
        }
        throw new IllegalStateException("the JDK's ImageIO provider " + className + " is not registered");
    }
}
