package io.zinteract.images.variant.codec;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Puts an APP1 Exif segment, written byte by byte here, after a JPEG's SOI: IFD0 with Orientation and a GPS IFD. */
final class ExifJpeg {

    /** A GPSMapDatum value to look for in outputs. */
    static final String GPS_DATUM = "WGS-84-TESTDATUM";

    private ExifJpeg() {
    }

    static byte[] withExif(byte[] jpeg, int orientation) {
        byte[] tiff = tiff(orientation);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2); // SOI
        int length = 2 + 6 + tiff.length;
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(tiff);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** Big-endian TIFF: IFD0 (Orientation, GPSInfo pointer), then the GPS IFD (version, N, latitude, map datum). */
    private static byte[] tiff(int orientation) {
        ByteBuffer b = ByteBuffer.allocate(200);
        b.put(new byte[] {'M', 'M', 0, 42}).putInt(8);
        int gpsIfd = 8 + 2 + 2 * 12 + 4;
        b.putShort((short) 2);
        entry(b, 0x0112, 3, 1, orientation << 16); // SHORT values sit left-justified in the 4-byte field
        entry(b, 0x8825, 4, 1, gpsIfd);
        b.putInt(0);
        int gpsEntries = 4;
        int data = gpsIfd + 2 + gpsEntries * 12 + 4;
        byte[] datum = (GPS_DATUM + "\0").getBytes(StandardCharsets.US_ASCII);
        b.putShort((short) gpsEntries);
        entry(b, 0x0000, 1, 4, 0x02020000);
        entry(b, 0x0001, 2, 2, 'N' << 24);
        entry(b, 0x0002, 5, 3, data);
        entry(b, 0x0012, 2, datum.length, data + 24);
        b.putInt(0);
        b.putInt(48).putInt(1).putInt(51).putInt(1).putInt(1234).putInt(100); // 48 deg 51 min 12.34 s
        b.put(datum);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static void entry(ByteBuffer b, int tag, int type, int count, int value) {
        b.putShort((short) tag).putShort((short) type).putInt(count).putInt(value);
    }
}
