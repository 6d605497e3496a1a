package io.zinteract.images.variant.codec;

import io.zinteract.images.image.intake.ImageType;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * What an original carries besides pixels that changes how it looks: the EXIF orientation and (for PNG, whose JDK
 * reader ignores it) the ICC profile. Read from the container bytes; the checked structure (ImageStructure) already
 * guaranteed the chunks and segments are complete, but every offset is still bounds-checked here.
 *
 * @param orientation EXIF orientation 1..8, 1 when absent or invalid
 * @param pngIcc      the decompressed iCCP profile of a PNG, or null
 */
record Embedded(int orientation, byte[] pngIcc) {

    private static final int ORIENTATION_TAG = 0x0112;
    private static final int MAX_ICC = 4 << 20;

    static Embedded of(ImageType type, byte[] b) {
        return switch (type) {
            case JPEG -> new Embedded(jpegOrientation(b), null);
            case PNG -> png(b);
            case WEBP -> new Embedded(webpOrientation(b), null);
            default -> new Embedded(1, null);
        };
    }

    private static int jpegOrientation(byte[] b) {
        int pos = 2;
        while (pos + 4 <= b.length && (b[pos] & 0xFF) == 0xFF) {
            int marker = b[pos + 1] & 0xFF;
            if (marker == 0xDA || marker == 0xD9) {
                break; // metadata segments come before the first scan
            }
            int length = u16be(b, pos + 2);
            if (marker == 0xE1 && length >= 8 && ascii(b, pos + 4, "Exif\0\0")) {
                return tiffOrientation(b, pos + 10, Math.min(b.length, pos + 2 + length));
            }
            pos += 2 + length;
        }
        return 1;
    }

    private static Embedded png(byte[] b) {
        int orientation = 1;
        byte[] icc = null;
        int pos = 8;
        while (pos + 12 <= b.length) {
            long length = u32be(b, pos);
            String chunk = new String(b, pos + 4, 4, StandardCharsets.US_ASCII);
            int data = pos + 8;
            if (length > b.length - data - 4) {
                break;
            }
            int end = data + (int) length;
            if (chunk.equals("eXIf")) {
                orientation = tiffOrientation(b, data, end);
            } else if (chunk.equals("iCCP")) {
                icc = pngIcc(b, data, end);
            } else if (chunk.equals("IDAT") || chunk.equals("IEND")) {
                break; // both come before the image data
            }
            pos = end + 4;
        }
        return new Embedded(orientation, icc);
    }

    /** iCCP: a Latin-1 name, NUL, compression method 0, then the zlib-compressed profile. */
    private static byte[] pngIcc(byte[] b, int data, int end) {
        int nul = data;
        while (nul < end && b[nul] != 0) {
            nul++;
        }
        if (nul + 2 > end || b[nul + 1] != 0) {
            return null;
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(b, nul + 2, end - nul - 2);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!inflater.finished() && out.size() <= MAX_ICC) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    return null;
                }
                out.write(buffer, 0, n);
            }
            return out.size() <= MAX_ICC ? out.toByteArray() : null;
        } catch (DataFormatException e) {
            return null;
        } finally {
            inflater.end();
        }
    }

    private static int webpOrientation(byte[] b) {
        int pos = 12;
        while (pos + 8 <= b.length) {
            long length = u32le(b, pos + 4);
            int data = pos + 8;
            if (length > b.length - data) {
                break;
            }
            if (ascii(b, pos, "EXIF")) {
                int start = ascii(b, data, "Exif\0\0") ? data + 6 : data; // some writers keep the JPEG prefix
                return tiffOrientation(b, start, data + (int) length);
            }
            pos = data + (int) (length + (length & 1));
        }
        return 1;
    }

    /** The Orientation tag of IFD0 in the TIFF structure at {@code [start, end)}; 1 when missing or invalid. */
    static int tiffOrientation(byte[] b, int start, int end) {
        if (end - start < 8) {
            return 1;
        }
        boolean little = b[start] == 'I' && b[start + 1] == 'I';
        if (!little && !(b[start] == 'M' && b[start + 1] == 'M')) {
            return 1;
        }
        long ifd = start + u32(b, start + 4, little);
        if (ifd + 2 > end) {
            return 1;
        }
        int count = u16(b, (int) ifd, little);
        for (int i = 0; i < count; i++) {
            int entry = (int) ifd + 2 + 12 * i;
            if (entry + 12 > end) {
                return 1;
            }
            if (u16(b, entry, little) == ORIENTATION_TAG && u16(b, entry + 2, little) == 3) {
                int value = u16(b, entry + 8, little);
                return value >= 1 && value <= 8 ? value : 1;
            }
        }
        return 1;
    }

    private static boolean ascii(byte[] b, int pos, String s) {
        if (pos < 0 || pos + s.length() > b.length) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b[pos + i] != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int u16(byte[] b, int p, boolean little) {
        return little ? (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 : u16be(b, p);
    }

    private static long u32(byte[] b, int p, boolean little) {
        return little ? u32le(b, p) : u32be(b, p);
    }

    private static int u16be(byte[] b, int p) {
        return (b[p] & 0xFF) << 8 | (b[p + 1] & 0xFF);
    }

    private static long u32be(byte[] b, int p) {
        return (b[p] & 0xFFL) << 24 | (b[p + 1] & 0xFFL) << 16 | (b[p + 2] & 0xFFL) << 8 | (b[p + 3] & 0xFFL);
    }

    private static long u32le(byte[] b, int p) {
        return (b[p + 3] & 0xFFL) << 24 | (b[p + 2] & 0xFFL) << 16 | (b[p + 1] & 0xFFL) << 8 | (b[p] & 0xFFL);
    }
}
