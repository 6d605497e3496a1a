package io.zinteract.images.generation;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class PlaceholderRendererTest {

    @Test
    void rendersADecodablePngOfTheAskedSize() throws Exception {
        byte[] png = PlaceholderRenderer.render("a lighthouse", 1792, 1024);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertEquals(1792, image.getWidth());
        assertEquals(1024, image.getHeight());
    }

    @Test
    void samePromptSameBytesOtherPromptOtherBytes() {
        assertArrayEquals(PlaceholderRenderer.render("a lighthouse", 256, 256), PlaceholderRenderer.render("a lighthouse", 256, 256));
        assertFalse(java.util.Arrays.equals(PlaceholderRenderer.render("a lighthouse", 256, 256),
                PlaceholderRenderer.render("a harbour", 256, 256)));
    }
}
