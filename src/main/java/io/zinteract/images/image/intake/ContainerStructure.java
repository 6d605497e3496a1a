package io.zinteract.images.image.intake;

import io.zinteract.images.image.intake.ImageDefect.Kind;

import java.util.ArrayList;
import java.util.List;

/**
 * The container formats of {@link ImageStructure}:
 * <ul>
 * <li>WebP: RIFF size equal to the file's length (less is trailing data, more a truncation), the first chunk VP8, VP8L
 * or VP8X with its dimensions, every chunk complete, and image data after a VP8X header;</li>
 * <li>AVIF (ISO-BMFF): top-level boxes that tile the file exactly, ftyp first, a meta box whose
 * iprp/ipco holds at least one ispe (image spatial extents) with dimensions, and media data (mdat, or idat in meta).
 * Every ispe is held to the pixel limit, so a small primary item cannot hide a huge grid or alpha plane.</li>
 * </ul>
 */
final class ContainerStructure {

    private ContainerStructure() {
    }

    static ImageStructure.Info webp(ImageSource s, long maxPixels) {
        s.require(0, 20, "a RIFF header and first WebP chunk header");
        ImageStructure.Info info = webpDimensions(s, s.fourCc(12), 20, maxPixels);
        long riffEnd = s.u32le(4) + 8;
        if (riffEnd > s.length()) {
            throw new ImageDefect(Kind.TRUNCATED, "the RIFF header declares " + riffEnd + " bytes; the file has " + s.length());
        }
        if (riffEnd < s.length()) {
            throw new ImageDefect(Kind.TRAILING_DATA, (s.length() - riffEnd) + " bytes follow the RIFF chunk's declared end");
        }
        boolean vp8x = s.fourCc(12).equals("VP8X");
        boolean imageData = !vp8x;
        long pos = 12;
        while (pos < riffEnd) {
            s.require(pos, 8, "a WebP chunk header");
            String chunk = s.fourCc(pos);
            long size = s.u32le(pos + 4);
            s.require(pos + 8, size + (size & 1), "WebP chunk " + chunk.trim());
            imageData |= chunk.equals("VP8 ") || chunk.equals("VP8L") || chunk.equals("ANMF");
            pos += 8 + size + (size & 1);
        }
        if (!imageData) {
            throw new ImageDefect(Kind.TRUNCATED, "the WebP has a VP8X header but no image data");
        }
        return info;
    }

    private static ImageStructure.Info webpDimensions(ImageSource s, String chunk, long payload, long maxPixels) {
        switch (chunk) {
            case "VP8 " -> {
                s.require(payload, 10, "a VP8 frame header");
                if (s.u8(payload + 3) != 0x9D || s.u8(payload + 4) != 0x01 || s.u8(payload + 5) != 0x2A) {
                    throw new ImageDefect(Kind.MALFORMED, "the VP8 frame has no start code");
                }
                return ImageStructure.dimensions(ImageType.WEBP, s.u16le(payload + 6) & 0x3FFF,
                        s.u16le(payload + 8) & 0x3FFF, maxPixels);
            }
            case "VP8L" -> {
                s.require(payload, 5, "a VP8L header");
                long bits = s.u32le(payload + 1);
                if (s.u8(payload) != 0x2F || (bits >>> 29) != 0) {
                    throw new ImageDefect(Kind.MALFORMED, "the VP8L chunk has no valid signature");
                }
                return ImageStructure.dimensions(ImageType.WEBP, (bits & 0x3FFF) + 1, ((bits >>> 14) & 0x3FFF) + 1,
                        maxPixels);
            }
            case "VP8X" -> {
                s.require(payload, 10, "a VP8X header");
                return ImageStructure.dimensions(ImageType.WEBP, s.u24le(payload + 4) + 1L, s.u24le(payload + 7) + 1L,
                        maxPixels);
            }
            default -> throw new ImageDefect(Kind.MALFORMED, "the first WebP chunk must be VP8, VP8L or VP8X");
        }
    }

    static ImageStructure.Info avif(ImageSource s, long maxPixels) {
        List<long[]> extents = new ArrayList<>();
        boolean meta = false;
        boolean data = false;
        long pos = 0;
        while (pos < s.length()) {
            boolean complete = meta && data;
            if (s.length() - pos < 8 || !printable(s, pos + 4)) {
                if (complete) {
                    throw new ImageDefect(Kind.TRAILING_DATA, (s.length() - pos) + " bytes after the last box at offset " + pos);
                }
                s.require(pos, 8, "an AVIF box header");
                throw new ImageDefect(Kind.MALFORMED, "invalid box type at offset " + pos);
            }
            long[] box = box(s, pos, s.length());
            String type = s.fourCc(pos + 4);
            if (pos == 0 && !type.equals("ftyp")) {
                throw new ImageDefect(Kind.MALFORMED, "an AVIF must start with an ftyp box");
            }
            if (pos + box[0] > s.length()) {
                if (complete) {
                    throw new ImageDefect(Kind.TRAILING_DATA, "bytes after the last box at offset " + pos
                            + " do not form a box");
                }
                throw new ImageDefect(Kind.TRUNCATED, "box " + type + " at offset " + pos + " declares " + box[0]
                        + " bytes; the file has " + (s.length() - pos) + " left");
            }
            if (type.equals("meta")) {
                meta = true;
                data |= walkMeta(s, pos + box[1] + 4, pos + box[0], extents);
            } else if (type.equals("mdat")) {
                data = true;
            }
            pos += box[0];
        }
        if (!meta || extents.isEmpty()) {
            throw new ImageDefect(Kind.NO_DIMENSIONS, "the AVIF has no image spatial extents (meta/iprp/ipco/ispe)");
        }
        if (!data) {
            throw new ImageDefect(Kind.TRUNCATED, "the AVIF has no media data (mdat)");
        }
        ImageStructure.Info largest = null;
        for (long[] e : extents) {
            ImageStructure.Info info = ImageStructure.dimensions(ImageType.AVIF, e[0], e[1], maxPixels);
            if (largest == null || info.width() * info.height() > largest.width() * largest.height()) {
                largest = info;
            }
        }
        return largest;
    }

    /** {size, header length} of the box at {@code pos}; size 0 means "to the end of its parent". */
    private static long[] box(ImageSource s, long pos, long parentEnd) {
        s.require(pos, 8, "a box header");
        long size = s.u32be(pos);
        long header = 8;
        if (size == 1) {
            s.require(pos, 16, "a 64-bit box header");
            size = s.u64be(pos + 8);
            header = 16;
        } else if (size == 0) {
            size = parentEnd - pos;
        }
        if (size < header) {
            throw new ImageDefect(Kind.MALFORMED, "box at offset " + pos + " declares " + size + " bytes");
        }
        return new long[] {size, header};
    }

    /** Collects every ispe under meta/iprp/ipco; true when meta carries its own data (idat). */
    private static boolean walkMeta(ImageSource s, long start, long end, List<long[]> extents) {
        boolean idat = false;
        for (long pos = start; pos < end; ) {
            long[] box = child(s, pos, end);
            String type = s.fourCc(pos + 4);
            if (type.equals("idat")) {
                idat = true;
            } else if (type.equals("iprp") || type.equals("ipco")) {
                walkMeta(s, pos + box[1], pos + box[0], extents);
            } else if (type.equals("ispe")) {
                if (box[0] < box[1] + 12) {
                    throw new ImageDefect(Kind.MALFORMED, "ispe box too short");
                }
                extents.add(new long[] {s.u32be(pos + box[1] + 4), s.u32be(pos + box[1] + 8)});
            }
            pos += box[0];
        }
        return idat;
    }

    private static long[] child(ImageSource s, long pos, long end) {
        if (end - pos < 8) {
            throw new ImageDefect(Kind.MALFORMED, "a box inside meta is cut off at offset " + pos);
        }
        long[] box = box(s, pos, end);
        if (pos + box[0] > end) {
            throw new ImageDefect(Kind.MALFORMED, "a box inside meta overruns its parent at offset " + pos);
        }
        return box;
    }

    private static boolean printable(ImageSource s, long pos) {
        if (pos + 4 > s.length()) {
            return false;
        }
        for (int i = 0; i < 4; i++) {
            int c = s.u8(pos + i);
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }
}
