package io.zinteract.images.storage;

import io.zinteract.images.storage.model.ListPage;
import io.zinteract.images.storage.model.PutObject;
import io.zinteract.images.storage.model.ObjectHead;
import io.zinteract.images.support.BucketClient;
import io.zinteract.images.support.TestImages;
import io.zinteract.images.support.profile.Profiles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The R2 wrapper against a real S3 server: what it sends is what lands, and what it reads is what is there. */
@QuarkusTest
@TestProfile(Profiles.R2Storage.class)
class R2StorageTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    R2Storage storage;
    @Inject
    R2Urls urls;

    static PutObject object(String key, byte[] bytes) throws Exception {
        String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(bytes));
        return new PutObject(key, bytes, "image/png", md5, Map.of("image-id", "x1", "persona-id", "gen-x"), null);
    }

    @Test
    void putHeadGetDeleteRoundTrip() throws Exception {
        byte[] png = TestImages.png(50, 50, 3);
        String key = "images/gen-x/roundtrip.png";
        String etag = storage.put(object(key, png)).await().atMost(WAIT);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(png)), etag, "single-part ETag is the MD5");

        ObjectHead head = storage.head(key).await().atMost(WAIT).orElseThrow();
        assertEquals(png.length, head.size());
        assertEquals(etag, head.etag());
        assertEquals("image/png", head.contentType());
        assertEquals("x1", head.metadata().get("image-id"));
        assertArrayEquals(png, storage.getBytes(key).await().atMost(WAIT).orElseThrow());

        storage.delete(key).await().atMost(WAIT);
        assertTrue(storage.head(key).await().atMost(WAIT).isEmpty(), "404 is an empty answer, not a failure");
        assertTrue(storage.getBytes(key).await().atMost(WAIT).isEmpty());
        storage.delete(key).await().atMost(WAIT);
    }

    @Test
    void aBodyThatDoesNotMatchItsMd5IsRefusedAndNotRetried() throws Exception {
        byte[] png = TestImages.png(10, 10, 4);
        PutObject honest = object("images/gen-x/bad-md5.png", png);
        PutObject lying = new PutObject(honest.key(), png, honest.contentType(),
                Base64.getEncoder().encodeToString(new byte[16]), honest.metadata(), null);
        StorageException e = assertThrows(StorageException.class, () -> storage.put(lying).await().atMost(WAIT));
        assertEquals(400, e.status());
        assertFalse(e.transientFailure());
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            assertTrue(bucket.head(honest.key()).isEmpty(), "nothing may be stored under a refused PUT");
        }
    }

    @Test
    void listingFollowsContinuationTokensPastOnePage() {
        String prefix = "images/list-test/";
        try (BucketClient bucket = BucketClient.forCurrentProxy()) {
            IntStream.range(0, 257).forEach(i -> bucket.put(prefix + String.format("%04d.png", i), new byte[] {(byte) i}, "image/png"));
        }
        List<ListPage.Entry> all = storage.listAll(prefix, 50).collect().asList().await().atMost(WAIT);
        assertEquals(257, all.size());
        Set<String> keys = new HashSet<>();
        all.forEach(e -> keys.add(e.key()));
        assertEquals(257, keys.size(), "no key twice");
        ListPage first = storage.list(prefix, null, 100).await().atMost(WAIT);
        assertEquals(100, first.entries().size());
        assertTrue(first.nextContinuationToken() != null);
    }

    @Test
    void presignedUrlsServeTheObject() throws Exception {
        byte[] png = TestImages.png(12, 12, 5);
        String key = "images/gen-x/presign.png";
        storage.put(object(key, png)).await().atMost(WAIT);
        URI url = urls.presignGet(key, Duration.ofMinutes(1));
        assertTrue(url.getQuery().contains("X-Amz-Signature"));
        HttpResponse<byte[]> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertArrayEquals(png, response.body());
    }

    @Test
    void unsafeKeysNeverReachTheStore() {
        assertThrows(ObjectKeys.InvalidKeyException.class, () -> storage.head("../secrets").await().atMost(WAIT));
        assertThrows(ObjectKeys.InvalidKeyException.class, () -> storage.delete("images/a b.png").await().atMost(WAIT));
    }

    @Test
    void pingAnswersWhileTheBucketIsUpAndFailsFastWhenItIsNot() {
        storage.ping(Duration.ofSeconds(2)).await().atMost(WAIT);
        var proxy = io.zinteract.images.support.profile.S3ProxyResource.current();
        proxy.stop();
        try {
            long start = System.nanoTime();
            assertThrows(TransientStorageException.class, () -> storage.ping(Duration.ofSeconds(2)).await().atMost(WAIT));
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
        } finally {
            proxy.start();
        }
    }
}
