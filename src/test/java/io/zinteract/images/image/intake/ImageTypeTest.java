package io.zinteract.images.image.intake;

import io.zinteract.images.support.TestImages;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ImageTypeTest {

    @Test
    void recognisesEverySupportedFormatFromItsBytes() {
        assertEquals(Optional.of(ImageType.PNG), ImageType.sniff(TestImages.png(4, 4, 1)));
        assertEquals(Optional.of(ImageType.JPEG), ImageType.sniff(TestImages.jpeg(4, 4, 1)));
        assertEquals(Optional.of(ImageType.WEBP), ImageType.sniff(TestImages.webp(20, 1)));
        assertEquals(Optional.of(ImageType.GIF), ImageType.sniff(TestImages.gif()));
        assertEquals(Optional.of(ImageType.AVIF), ImageType.sniff(TestImages.avif(64)));
    }

    @Test
    void refusesWhatIsNotAnImage() {
        assertEquals(Optional.empty(), ImageType.sniff(new byte[0]));
        assertEquals(Optional.empty(), ImageType.sniff("<svg xmlns='http://www.w3.org/2000/svg'/>".getBytes()));
        assertEquals(Optional.empty(), ImageType.sniff("RIFF\0\0\0\0WAVEfmt ".getBytes()), "a WAV is RIFF but not WebP");
        byte[] mp4 = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 0, 0, 'i', 's', 'o', 'm', 'm', 'p', '4', '1'};
        assertEquals(Optional.empty(), ImageType.sniff(mp4), "an MP4 is ISO-BMFF but not AVIF");
        assertEquals(Optional.empty(), ImageType.sniff(new byte[] {(byte) 0xFF, (byte) 0xD8}), "too short for JPEG");
    }

    @Test
    void declaredTypesMapWithCommonAliases() {
        assertEquals(Optional.of(ImageType.JPEG), ImageType.fromMimeType("image/jpg"));
        assertEquals(Optional.of(ImageType.JPEG), ImageType.fromMimeType("IMAGE/JPEG; charset=binary"));
        assertEquals(Optional.of(ImageType.WEBP), ImageType.fromMimeType("image/webp"));
        assertEquals(Optional.empty(), ImageType.fromMimeType("image/svg+xml"));
        assertEquals(Optional.empty(), ImageType.fromMimeType(null));
    }
}
