import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.LinearGradientPaint;
import java.awt.MultipleGradientPaint;
import java.awt.RadialGradientPaint;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Point2D;
import java.awt.geom.QuadCurve2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The variant benchmark's inputs: N different 1792x1024 "persona" portraits drawn with Java2D, so that the codec and
 * the comparison meet image content (smooth gradients, shaded shapes, fine hair strokes) rather than noise. A film
 * grain of GRAIN levels (standard deviation, luma; chroma at a third of it) makes PNG sizes land near the real AI
 * images' 1-3 MB: without it PNG would squeeze the smooth areas far below what generated images weigh.
 *
 * <p>{@code java -cp CLASSES PersonaGallery DIR N SEED GRAIN} writes DIR/persona-000.png ... and prints one JSON line:
 * images, bytes (total), minBytes, maxBytes. Image i depends only on SEED + i.
 */
public class PersonaGallery {

    static final int W = 1792;
    static final int H = 1024;

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        long seed = Long.parseLong(args[2]);
        double grain = Double.parseDouble(args[3]);
        Files.createDirectories(dir);
        AtomicLong total = new AtomicLong();
        AtomicLong min = new AtomicLong(Long.MAX_VALUE);
        AtomicLong max = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
        Future<?>[] jobs = new Future<?>[n];
        for (int i = 0; i < n; i++) {
            int index = i;
            jobs[i] = pool.submit(() -> {
                File out = dir.resolve(String.format("persona-%03d.png", index)).toFile();
                ImageIO.write(render(new Random(seed * 1_000_003L + index), grain), "png", out);
                long size = out.length();
                total.addAndGet(size);
                min.accumulateAndGet(size, Math::min);
                max.accumulateAndGet(size, Math::max);
                return null;
            });
        }
        for (Future<?> job : jobs) {
            job.get();
        }
        pool.shutdown();
        System.out.printf("{\"images\": %d, \"bytes\": %d, \"minBytes\": %d, \"maxBytes\": %d}%n", n, total.get(),
                min.get(), max.get());
    }

    static BufferedImage render(Random rnd, double grain) {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        float hue = rnd.nextFloat();
        background(g, rnd, hue);
        double cx = W * (0.3 + 0.4 * rnd.nextDouble());
        double headW = 230 + 80 * rnd.nextDouble();
        double headH = headW * (1.25 + 0.15 * rnd.nextDouble());
        double headY = H * (0.16 + 0.1 * rnd.nextDouble());
        Color skin = Color.getHSBColor(0.05f + 0.04f * rnd.nextFloat(), 0.25f + 0.35f * rnd.nextFloat(),
                0.45f + 0.5f * rnd.nextFloat());
        Color cloth = Color.getHSBColor(rnd.nextFloat(), 0.3f + 0.6f * rnd.nextFloat(), 0.2f + 0.6f * rnd.nextFloat());
        Color hair = Color.getHSBColor(0.05f + 0.08f * rnd.nextFloat(), 0.3f + 0.6f * rnd.nextFloat(),
                0.08f + 0.6f * rnd.nextFloat());
        double lightX = rnd.nextBoolean() ? -1 : 1;
        // Shoulders and torso, then the neck, then the head: each a shaded ellipse lit from one side.
        double torsoW = headW * (2.6 + 0.6 * rnd.nextDouble());
        shaded(g, cx - torsoW / 2, headY + headH * 1.05, torsoW, H, cloth, lightX);
        folds(g, rnd, cx, headY + headH * 1.2, torsoW, cloth);
        shaded(g, cx - headW * 0.22, headY + headH * 0.7, headW * 0.44, headH * 0.55, skin.darker(), lightX);
        hairMass(g, cx, headY, headW, headH, hair, lightX);
        shaded(g, cx - headW / 2, headY, headW, headH, skin, lightX);
        face(g, rnd, cx, headY, headW, headH, skin);
        hairStrokes(g, rnd, cx, headY, headW, headH, hair);
        lighting(g, rnd, lightX);
        g.dispose();
        grain(img, rnd, grain);
        return img;
    }

    static void background(Graphics2D g, Random rnd, float hue) {
        Color a = Color.getHSBColor(hue, 0.2f + 0.5f * rnd.nextFloat(), 0.15f + 0.5f * rnd.nextFloat());
        Color b = Color.getHSBColor(hue + 0.1f + 0.3f * rnd.nextFloat(), 0.2f + 0.6f * rnd.nextFloat(),
                0.3f + 0.6f * rnd.nextFloat());
        g.setPaint(new LinearGradientPaint(0, 0, W * rnd.nextFloat(), H, new float[] { 0f, 1f }, new Color[] { a, b }));
        g.fillRect(0, 0, W, H);
        // Out-of-focus lights (bokeh): soft discs that fade to nothing at their rim.
        int discs = 6 + rnd.nextInt(14);
        for (int i = 0; i < discs; i++) {
            float r = 30 + 150 * rnd.nextFloat();
            float x = W * rnd.nextFloat();
            float y = H * rnd.nextFloat();
            Color c = Color.getHSBColor(hue + 0.5f * rnd.nextFloat(), 0.3f * rnd.nextFloat(),
                    0.7f + 0.3f * rnd.nextFloat());
            g.setPaint(new RadialGradientPaint(new Point2D.Float(x, y), r, new float[] { 0f, 0.7f, 1f },
                    new Color[] { alpha(c, 90 + rnd.nextInt(80)), alpha(c, 50), alpha(c, 0) }));
            g.fill(new Ellipse2D.Float(x - r, y - r, 2 * r, 2 * r));
        }
    }

    static void shaded(Graphics2D g, double x, double y, double w, double h, Color base, double lightX) {
        Point2D center = new Point2D.Double(x + w / 2 + lightX * w * 0.2, y + h * 0.35);
        float radius = (float) Math.max(w, h) * 0.75f;
        g.setPaint(new RadialGradientPaint(center, radius, new float[] { 0f, 0.6f, 1f },
                new Color[] { base.brighter(), base, base.darker().darker() },
                MultipleGradientPaint.CycleMethod.NO_CYCLE));
        g.fill(new Ellipse2D.Double(x, y, w, h));
    }

    static void folds(Graphics2D g, Random rnd, double cx, double top, double w, Color cloth) {
        for (int i = 0; i < 12 + rnd.nextInt(12); i++) {
            double x0 = cx + (rnd.nextDouble() - 0.5) * w * 0.8;
            g.setStroke(new BasicStroke(4 + 14 * rnd.nextFloat(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.setColor(alpha(rnd.nextBoolean() ? cloth.darker() : cloth.brighter(), 25 + rnd.nextInt(40)));
            g.draw(new QuadCurve2D.Double(x0, top + rnd.nextDouble() * 80, x0 + (rnd.nextDouble() - 0.5) * 200,
                    top + 200 + rnd.nextDouble() * 200, x0 + (rnd.nextDouble() - 0.5) * 150, H));
        }
    }

    static void hairMass(Graphics2D g, double cx, double headY, double headW, double headH, Color hair, double lightX) {
        shaded(g, cx - headW * 0.62, headY - headH * 0.12, headW * 1.24, headH * 1.25, hair, lightX);
    }

    static void face(Graphics2D g, Random rnd, double cx, double headY, double headW, double headH, Color skin) {
        double eyeY = headY + headH * 0.45;
        Color iris = Color.getHSBColor(rnd.nextFloat(), 0.4f + 0.4f * rnd.nextFloat(), 0.2f + 0.4f * rnd.nextFloat());
        for (int side = -1; side <= 1; side += 2) {
            double ex = cx + side * headW * 0.2;
            g.setColor(alpha(skin.darker(), 120));
            g.fill(new Ellipse2D.Double(ex - headW * 0.11, eyeY - headH * 0.05, headW * 0.22, headH * 0.08));
            g.setColor(new Color(235, 232, 228));
            g.fill(new Ellipse2D.Double(ex - headW * 0.08, eyeY - headH * 0.025, headW * 0.16, headH * 0.05));
            g.setColor(iris);
            g.fill(new Ellipse2D.Double(ex - headW * 0.035, eyeY - headH * 0.028, headW * 0.07, headH * 0.056));
            g.setColor(Color.WHITE);
            g.fill(new Ellipse2D.Double(ex - headW * 0.012, eyeY - headH * 0.02, headW * 0.018, headH * 0.014));
            g.setStroke(new BasicStroke(5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.setColor(alpha(Color.BLACK, 140));
            g.draw(new QuadCurve2D.Double(ex - headW * 0.1, eyeY - headH * 0.09, ex, eyeY - headH * 0.13,
                    ex + headW * 0.1, eyeY - headH * 0.08));
        }
        g.setColor(alpha(skin.darker().darker(), 70));
        g.fill(new Ellipse2D.Double(cx - headW * 0.05, headY + headH * 0.55, headW * 0.1, headH * 0.14));
        g.setColor(alpha(new Color(150, 60, 60), 170));
        g.fill(new RoundRectangle2D.Double(cx - headW * 0.13, headY + headH * 0.76, headW * 0.26, headH * 0.045, 20,
                20));
    }

    static void hairStrokes(Graphics2D g, Random rnd, double cx, double headY, double headW, double headH, Color hair) {
        int strokes = 600 + rnd.nextInt(900);
        for (int i = 0; i < strokes; i++) {
            double a = Math.PI * (1.05 + 0.9 * rnd.nextDouble());
            // From the crown over the skull's outline, falling beside the face rather than across it.
            double x0 = cx + Math.cos(a) * headW * 0.45 * rnd.nextDouble();
            double y0 = headY + headH * 0.5 + Math.sin(a) * headH * 0.58;
            double side = x0 < cx ? -1 : 1;
            double len = headH * (0.5 + 0.8 * rnd.nextDouble());
            double x2 = cx + side * headW * (0.42 + 0.25 * rnd.nextDouble());
            double y2 = y0 + len;
            float b = 0.5f + 1.0f * rnd.nextFloat();
            Color c = rnd.nextInt(4) == 0 ? hair.brighter() : hair;
            g.setColor(alpha(new Color(Math.min(255, (int) (c.getRed() * b)), Math.min(255, (int) (c.getGreen() * b)),
                    Math.min(255, (int) (c.getBlue() * b))), 60 + rnd.nextInt(150)));
            g.setStroke(new BasicStroke(0.8f + 2.5f * rnd.nextFloat(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            g.draw(new QuadCurve2D.Double(x0, y0, cx + side * headW * 0.62, y0 + len * 0.25, x2, y2));
        }
    }

    static void lighting(Graphics2D g, Random rnd, double lightX) {
        float lx = (float) (lightX < 0 ? W * 0.1 : W * 0.9);
        g.setPaint(new RadialGradientPaint(new Point2D.Float(lx, H * 0.2f), W * 0.7f, new float[] { 0f, 1f },
                new Color[] { new Color(255, 240, 220, 40 + rnd.nextInt(40)), new Color(255, 240, 220, 0) }));
        g.fillRect(0, 0, W, H);
        g.setPaint(new RadialGradientPaint(new Point2D.Float(W / 2f, H / 2f), W * 0.75f, new float[] { 0.5f, 1f },
                new Color[] { new Color(0, 0, 0, 0), new Color(0, 0, 0, 90 + rnd.nextInt(60)) }));
        g.fillRect(0, 0, W, H);
    }

    /** Film grain: gaussian, mostly luma, as in photographs; it is what keeps real PNGs at megabytes. */
    static void grain(BufferedImage img, Random rnd, double sigma) {
        if (sigma <= 0) {
            return;
        }
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            double l = rnd.nextGaussian() * sigma;
            int r = clamp(((px[i] >> 16) & 255) + l + rnd.nextGaussian() * sigma / 3);
            int gr = clamp(((px[i] >> 8) & 255) + l + rnd.nextGaussian() * sigma / 3);
            int b = clamp((px[i] & 255) + l + rnd.nextGaussian() * sigma / 3);
            px[i] = (r << 16) | (gr << 8) | b;
        }
    }

    static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    static Color alpha(Color c, int a) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), Math.max(0, Math.min(255, a)));
    }
}
