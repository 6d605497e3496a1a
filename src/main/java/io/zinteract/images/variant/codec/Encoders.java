package io.zinteract.images.variant.codec;

import com.luciad.imageio.webp.WebPWriteParam;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Writes pixels only: each writer gets no metadata (null IIOMetadata), so no EXIF, XMP, ICC or comment reaches the
 * output. The JDK's JPEG writer still writes its JFIF APP0 header (version and pixel density, no personal data).
 * Output goes through a memory cache stream, never ImageIO's temporary files.
 */
final class Encoders {

    private Encoders() {
    }

    static byte[] encode(BufferedImage img, VariantFormat format, CodecLimits limits) {
        ImageWriter writer = Plugins.writer(format);
        try {
            ImageWriteParam param = writer.getDefaultWriteParam();
            BufferedImage pixels = img;
            switch (format) {
                case WEBP -> {
                    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                    param.setCompressionType(param.getCompressionTypes()[WebPWriteParam.LOSSY_COMPRESSION]);
                    param.setCompressionQuality(limits.webpQuality());
                }
                case JPEG -> {
                    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                    param.setCompressionQuality(limits.jpegQuality());
                    param.setProgressiveMode(ImageWriteParam.MODE_DISABLED);
                    pixels = img.getColorModel().hasAlpha() ? Pixels.flatten(img, Color.WHITE) : img;
                }
                case PNG -> {
                    // the JDK maps quality q to deflate level 9 * (1 - q): 0.3 is level 6; 9 costs far more time for
                    // a few per cent
                    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                    param.setCompressionQuality(0.3f);
                }
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
            try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(pixels, null, null), param);
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }
}
