package io.zinteract.images.image.intake;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Random access to the bytes being checked, in memory or in a spooled file; a file is read through one 64 KiB window,
 * so checking an image of any size costs that much memory. Reading past the end is a truncated image.
 */
abstract class ImageSource implements AutoCloseable {

    abstract long length();

    /** The byte at {@code pos}, 0 to 255; {@link ImageDefect.Kind#TRUNCATED} past the end. */
    abstract int u8(long pos);

    static ImageSource of(byte[] bytes) {
        return new ImageSource() {
            @Override
            long length() {
                return bytes.length;
            }

            @Override
            int u8(long pos) {
                if (pos < 0 || pos >= bytes.length) {
                    throw truncated(pos);
                }
                return bytes[(int) pos] & 0xFF;
            }
        };
    }

    static ImageSource of(Path file) {
        try {
            return new FileSource(FileChannel.open(file, StandardOpenOption.READ));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
    }

    int u16be(long pos) {
        return (u8(pos) << 8) | u8(pos + 1);
    }

    int u16le(long pos) {
        return u8(pos) | (u8(pos + 1) << 8);
    }

    int u24le(long pos) {
        return u8(pos) | (u8(pos + 1) << 8) | (u8(pos + 2) << 16);
    }

    long u32be(long pos) {
        return ((long) u16be(pos) << 16) | u16be(pos + 2);
    }

    long u32le(long pos) {
        return u16le(pos) | ((long) u16le(pos + 2) << 16);
    }

    long u64be(long pos) {
        return (u32be(pos) << 32) | u32be(pos + 4);
    }

    String fourCc(long pos) {
        char[] chars = new char[4];
        for (int i = 0; i < 4; i++) {
            chars[i] = (char) u8(pos + i);
        }
        return new String(chars);
    }

    /** Throws TRUNCATED unless {@code count} bytes from {@code pos} are there. */
    void require(long pos, long count, String what) {
        if (pos < 0 || count < 0 || pos + count > length()) {
            throw new ImageDefect(ImageDefect.Kind.TRUNCATED, what + " needs " + count + " bytes at offset " + pos
                    + " but the file has " + length());
        }
    }

    ImageDefect truncated(long pos) {
        return new ImageDefect(ImageDefect.Kind.TRUNCATED, "the file ends at " + length() + " bytes, before offset " + pos);
    }

    private static final class FileSource extends ImageSource {
        private static final int WINDOW = 64 * 1024;
        private final FileChannel channel;
        private final long length;
        private final ByteBuffer window = ByteBuffer.allocate(WINDOW);
        private long windowStart = -1;
        private int windowLength;

        FileSource(FileChannel channel) throws IOException {
            this.channel = channel;
            this.length = channel.size();
        }

        @Override
        long length() {
            return length;
        }

        @Override
        int u8(long pos) {
            if (pos < 0 || pos >= length) {
                throw truncated(pos);
            }
            if (windowStart < 0 || pos < windowStart || pos >= windowStart + windowLength) {
                fill(pos);
            }
            return window.get((int) (pos - windowStart)) & 0xFF;
        }

        private void fill(long pos) {
            try {
                window.clear();
                int read = 0;
                while (window.hasRemaining() && pos + read < length) {
                    int n = channel.read(window, pos + read);
                    if (n < 0) {
                        break;
                    }
                    read += n;
                }
                windowStart = pos;
                windowLength = read;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
