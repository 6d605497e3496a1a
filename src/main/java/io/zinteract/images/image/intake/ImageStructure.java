package io.zinteract.images.image.intake;

import io.zinteract.images.image.intake.ImageDefect.Kind;

import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * Checks that bytes which start like an image are laid out like one, without decoding pixels: the header parsed,
 * width and height present and within {@code MAX_IMAGE_PIXELS}, the file complete up to its format's end marker and
 * nothing after it. A signature alone proves little: an 8-byte "PNG", a PNG with HTML appended or a GIF that is also
 * JavaScript all start right. Per format:
 * <ul>
 * <li>PNG: signature, IHDR first with a correct CRC, every chunk complete, IEND last and the file's end;</li>
 * <li>JPEG: SOI, segments walked to a frame header (SOFn) with dimensions, entropy-coded data scanned to EOI at the
 * end (further JPEGs appended after EOI, as phones write gain maps and depth maps, are walked the same way; zero
 * padding is allowed);</li>
 * <li>GIF: header, logical screen, blocks walked to the trailer 0x3B at the end;</li>
 * <li>WebP and AVIF: see {@link ContainerStructure}.</li>
 * </ul>
 * The dimensions are checked as soon as they are read, so a file that declares a huge canvas is refused on its
 * header whatever else is wrong with it.
 */
public final class ImageStructure {

    /** What the header says. */
    public record Info(ImageType type, long width, long height) {
    }

    private static final long PNG_MAX_DIMENSION = 0x7FFFFFFFL;

    private ImageStructure() {
    }

    /** The checked image's type and size; {@link ImageDefect} when it is not a complete, acceptable image. */
    public static Info check(ImageType type, byte[] bytes, long maxPixels) {
        try (ImageSource source = ImageSource.of(bytes)) {
            return check(type, source, maxPixels);
        }
    }

    public static Info check(ImageType type, Path file, long maxPixels) {
        try (ImageSource source = ImageSource.of(file)) {
            return check(type, source, maxPixels);
        }
    }

    static Info check(ImageType type, ImageSource s, long maxPixels) {
        return switch (type) {
            case PNG -> png(s, maxPixels);
            case JPEG -> jpeg(s, maxPixels);
            case GIF -> gif(s, maxPixels);
            case WEBP -> ContainerStructure.webp(s, maxPixels);
            case AVIF -> ContainerStructure.avif(s, maxPixels);
        };
    }

    static Info dimensions(ImageType type, long width, long height, long maxPixels) {
        if (width <= 0 || height <= 0) {
            throw new ImageDefect(Kind.NO_DIMENSIONS, type.name() + " header declares " + width + "x" + height);
        }
        if (width > maxPixels / height) {
            throw new ImageDefect(Kind.TOO_MANY_PIXELS, type.name() + " header declares " + width + "x" + height
                    + " pixels; the limit is " + maxPixels + " (MAX_IMAGE_PIXELS)");
        }
        return new Info(type, width, height);
    }

    private static Info png(ImageSource s, long maxPixels) {
        s.require(0, 8 + 25, "a PNG signature and IHDR chunk");
        if (s.u32be(8) != 13 || !"IHDR".equals(s.fourCc(12))) {
            throw new ImageDefect(Kind.MALFORMED, "a PNG must start with a 13-byte IHDR chunk");
        }
        CRC32 crc = new CRC32();
        for (int i = 12; i < 12 + 17; i++) {
            crc.update(s.u8(i));
        }
        if (crc.getValue() != s.u32be(29)) {
            throw new ImageDefect(Kind.MALFORMED, "the PNG's IHDR chunk fails its CRC");
        }
        long width = s.u32be(16);
        long height = s.u32be(20);
        if (width > PNG_MAX_DIMENSION || height > PNG_MAX_DIMENSION) {
            throw new ImageDefect(Kind.MALFORMED, "PNG dimensions are limited to 2^31-1");
        }
        Info info = dimensions(ImageType.PNG, width, height, maxPixels);
        boolean data = false;
        long pos = 33;
        while (true) {
            s.require(pos, 12, "a PNG chunk (no IEND chunk before the end)");
            long length = s.u32be(pos);
            String chunk = s.fourCc(pos + 4);
            if (length > PNG_MAX_DIMENSION || !chunk.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                throw new ImageDefect(Kind.MALFORMED, "invalid PNG chunk header at offset " + pos);
            }
            s.require(pos, 12 + length, "PNG chunk " + chunk);
            pos += 12 + length;
            data |= chunk.equals("IDAT");
            if (chunk.equals("IEND")) {
                break;
            }
        }
        if (!data) {
            throw new ImageDefect(Kind.MALFORMED, "the PNG has no IDAT chunk");
        }
        trailing(s, pos, "the PNG's IEND chunk", false);
        return info;
    }

    private static Info jpeg(ImageSource s, long maxPixels) {
        long[] dims = new long[2];
        long end = jpegEnd(s, 0, dims, maxPixels);
        Info info = new Info(ImageType.JPEG, dims[0], dims[1]);
        // Phones append whole JPEGs after the first EOI (MPF gain and depth maps): each must be complete too.
        while (end + 3 <= s.length() && s.u8(end) == 0xFF && s.u8(end + 1) == 0xD8 && s.u8(end + 2) == 0xFF) {
            end = jpegEnd(s, end, new long[2], Long.MAX_VALUE);
        }
        trailing(s, end, "the JPEG's EOI marker", true);
        return info;
    }

    /** Walks one JPEG from its SOI at {@code start}; answers the offset after its EOI and fills width and height. */
    private static long jpegEnd(ImageSource s, long start, long[] dims, long maxPixels) {
        s.require(start, 4, "a JPEG SOI marker");
        long pos = start + 2;
        boolean frame = false;
        while (true) {
            if (s.u8(pos) != 0xFF) {
                throw new ImageDefect(Kind.MALFORMED, "expected a JPEG marker at offset " + pos);
            }
            while (s.u8(pos + 1) == 0xFF) {
                pos++; // fill bytes before a marker
            }
            int marker = s.u8(pos + 1);
            if (marker == 0xD9) {
                if (!frame) {
                    throw new ImageDefect(Kind.NO_DIMENSIONS, "the JPEG ends without a frame header (SOFn)");
                }
                return pos + 2;
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                pos += 2;
                continue;
            }
            if (marker == 0xD8 || marker == 0x00) {
                throw new ImageDefect(Kind.MALFORMED, "unexpected JPEG marker 0x" + Integer.toHexString(marker) + " at " + pos);
            }
            int length = s.u16be(pos + 2);
            if (length < 2) {
                throw new ImageDefect(Kind.MALFORMED, "JPEG segment length " + length + " at offset " + pos);
            }
            s.require(pos + 2, length, "JPEG segment 0x" + Integer.toHexString(marker));
            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
                if (length < 8) {
                    throw new ImageDefect(Kind.MALFORMED, "JPEG frame header too short");
                }
                if (!frame) {
                    dims[1] = s.u16be(pos + 5);
                    dims[0] = s.u16be(pos + 7);
                    dimensions(ImageType.JPEG, dims[0], dims[1], maxPixels);
                }
                frame = true;
            }
            pos += 2 + length;
            if (marker == 0xDA) {
                if (!frame) {
                    throw new ImageDefect(Kind.NO_DIMENSIONS, "the JPEG's scan comes before any frame header (SOFn)");
                }
                pos = afterEntropyData(s, pos);
            }
        }
    }

    /** Skips entropy-coded data: a 0xFF in it is followed by 0x00 (stuffing) or a restart marker, else a marker. */
    private static long afterEntropyData(ImageSource s, long pos) {
        long length = s.length();
        while (true) {
            if (pos >= length) {
                throw new ImageDefect(Kind.TRUNCATED, "the JPEG ends inside its scan data, without EOI");
            }
            if (s.u8(pos) != 0xFF) {
                pos++;
                continue;
            }
            int next = s.u8(pos + 1);
            if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
                pos += 2;
            } else if (next == 0xFF) {
                pos++;
            } else {
                return pos;
            }
        }
    }

    private static Info gif(ImageSource s, long maxPixels) {
        s.require(0, 13, "a GIF header and logical screen descriptor");
        Info info = dimensions(ImageType.GIF, s.u16le(6), s.u16le(8), maxPixels);
        int flags = s.u8(10);
        long pos = 13 + ((flags & 0x80) != 0 ? 3L << ((flags & 7) + 1) : 0);
        boolean image = false;
        while (true) {
            int block = s.u8(pos);
            if (block == 0x3B) {
                pos++;
                break;
            } else if (block == 0x21) {
                s.u8(pos + 1);
                pos = afterSubBlocks(s, pos + 2);
            } else if (block == 0x2C) {
                s.require(pos, 10, "a GIF image descriptor");
                int local = s.u8(pos + 9);
                pos += 10 + ((local & 0x80) != 0 ? 3L << ((local & 7) + 1) : 0);
                s.u8(pos); // LZW minimum code size
                pos = afterSubBlocks(s, pos + 1);
                image = true;
            } else {
                throw new ImageDefect(Kind.MALFORMED, "unknown GIF block 0x" + Integer.toHexString(block) + " at offset " + pos);
            }
        }
        if (!image) {
            throw new ImageDefect(Kind.MALFORMED, "the GIF has no image");
        }
        trailing(s, pos, "the GIF trailer", false);
        return info;
    }

    private static long afterSubBlocks(ImageSource s, long pos) {
        while (true) {
            int size = s.u8(pos);
            pos += 1 + size;
            if (size == 0) {
                return pos;
            }
        }
    }

    /** Anything after the format's end is refused: that is where polyglots keep their HTML or script. */
    static void trailing(ImageSource s, long end, String marker, boolean zeroPadding) {
        long length = s.length();
        if (end >= length) {
            return;
        }
        if (zeroPadding) {
            boolean zeros = true;
            for (long p = end; p < length && zeros; p++) {
                zeros = s.u8(p) == 0;
            }
            if (zeros) {
                return;
            }
        }
        throw new ImageDefect(Kind.TRAILING_DATA, (length - end) + " bytes follow " + marker + " at offset " + end);
    }
}
