import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on loopback that adds a fixed one-way latency in each direction, for the replica figure of
 * bench/bench.py: a store "far away" without a network emulator (tc netem needs qdisc support this machine lacks).
 *
 * <pre>java bench/LatencyProxy.java LISTEN_PORT TARGET_HOST TARGET_PORT DELAY_MS</pre>
 *
 * Listens on 127.0.0.1:LISTEN_PORT and connects every accepted connection to TARGET_HOST:TARGET_PORT. Per direction a
 * reader thread reads whatever arrives, stamps the chunk with the time it was read and queues it; a writer thread
 * sleeps until stamp + DELAY_MS and writes it. So every byte arrives DELAY_MS later than it would directly, in order,
 * and a request/response round trip gains 2 × DELAY_MS; bandwidth is not limited (chunks in flight overlap; the queue
 * holds up to 64 MiB per direction, far more than rate × delay). An end of stream is delayed like data and passed on
 * as a half-close (shutdownOutput); once both directions have ended, both sockets are closed. A reset or an error on
 * either side closes both at once. Platform threads (Java 17), four per connection, idle while they wait.
 *
 * Prints {@code listening on PORT} once ready; on SIGTERM prints how many connections and bytes it carried.
 */
public final class LatencyProxy {

    private static final int CHUNK = 64 * 1024;
    private static final int QUEUE_BYTES = 64 * 1024 * 1024;
    private static final byte[] EOF = new byte[0];

    private static final AtomicInteger CONNECTIONS = new AtomicInteger();
    private static final AtomicLong BYTES_UP = new AtomicLong();
    private static final AtomicLong BYTES_DOWN = new AtomicLong();

    private record Chunk(byte[] data, long readAt) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: java bench/LatencyProxy.java LISTEN_PORT TARGET_HOST TARGET_PORT DELAY_MS");
            System.exit(2);
        }
        int listenPort = Integer.parseInt(args[0]);
        InetSocketAddress target = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        long delayNanos = TimeUnit.MILLISECONDS.toNanos(Long.parseLong(args[3]));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.printf(
                "LatencyProxy: %d connections, %d bytes to the target, %d bytes back%n", CONNECTIONS.get(),
                BYTES_UP.get(), BYTES_DOWN.get())));
        try (ServerSocket server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort), 512);
            System.err.printf("LatencyProxy: listening on %d, forwarding to %s with %d ms each way%n",
                    server.getLocalPort(), target, TimeUnit.NANOSECONDS.toMillis(delayNanos));
            while (true) {
                Socket client = server.accept();
                CONNECTIONS.incrementAndGet();
                Thread t = new Thread(() -> connect(client, target, delayNanos), "connect");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void connect(Socket client, InetSocketAddress target, long delayNanos) {
        Socket upstream = new Socket();
        try {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(target, 10_000);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(upstream);
            return;
        }
        Pair pair = new Pair(client, upstream);
        pair.start(client, upstream, delayNanos, BYTES_UP, "up");
        pair.start(upstream, client, delayNanos, BYTES_DOWN, "down");
    }

    /** The two sockets of one connection: closed together when both directions have ended or one has failed. */
    private static final class Pair {
        private final Socket a;
        private final Socket b;
        private final AtomicInteger open = new AtomicInteger(2);
        private final AtomicBoolean closed = new AtomicBoolean();
        private final java.util.List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

        Pair(Socket a, Socket b) {
            this.a = a;
            this.b = b;
        }

        void directionEnded() {
            if (open.decrementAndGet() == 0) {
                close();
            }
        }

        void close() {
            if (closed.compareAndSet(false, true)) {
                closeQuietly(a);
                closeQuietly(b);
                // Wakes a reader waiting for room in its queue and a writer waiting for its next chunk.
                threads.forEach(Thread::interrupt);
            }
        }

        void start(Socket from, Socket to, long delayNanos, AtomicLong counter, String name) {
            LinkedBlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
            Semaphore room = new Semaphore(QUEUE_BYTES);
            Thread reader = new Thread(null, () -> read(from, queue, room), name + "-read", 256 * 1024);
            Thread writer = new Thread(null, () -> write(to, queue, room, delayNanos, counter), name + "-write",
                    256 * 1024);
            reader.setDaemon(true);
            writer.setDaemon(true);
            threads.add(reader);
            threads.add(writer);
            writer.start();
            reader.start();
            if (closed.get()) {
                reader.interrupt();
                writer.interrupt();
            }
        }

        private void read(Socket from, LinkedBlockingQueue<Chunk> queue, Semaphore room) {
            byte[] buffer = new byte[CHUNK];
            try {
                InputStream in = from.getInputStream();
                while (true) {
                    int n = in.read(buffer);
                    long now = System.nanoTime();
                    if (n < 0) {
                        queue.put(new Chunk(EOF, now));
                        return;
                    }
                    if (n > 0) {
                        room.acquire(n);
                        byte[] data = new byte[n];
                        System.arraycopy(buffer, 0, data, 0, n);
                        queue.put(new Chunk(data, now));
                    }
                }
            } catch (IOException | InterruptedException e) {
                // A reset, or the pair was closed: the writer is told through a null chunk and closes both.
                queue.add(new Chunk(null, System.nanoTime()));
            }
        }

        private void write(Socket to, LinkedBlockingQueue<Chunk> queue, Semaphore room, long delayNanos,
                           AtomicLong counter) {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk chunk = queue.take();
                    long wait = chunk.readAt() + delayNanos - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    if (chunk.data() == null) {
                        close();
                        return;
                    }
                    if (chunk.data() == EOF) {
                        if (!to.isClosed()) {
                            to.shutdownOutput();
                        }
                        directionEnded();
                        return;
                    }
                    out.write(chunk.data());
                    counter.addAndGet(chunk.data().length);
                    room.release(chunk.data().length);
                }
            } catch (IOException | InterruptedException e) {
                close();
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
