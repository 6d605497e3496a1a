package io.zinteract.images.storage;

import io.zinteract.images.storage.model.ListPage;
import io.zinteract.images.storage.model.ObjectStream;
import io.zinteract.images.storage.model.ObjectHead;
import io.smallrye.mutiny.Multi;
import org.reactivestreams.FlowAdapters;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.async.ResponsePublisher;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

import java.nio.ByteBuffer;
import java.util.List;

/** Turns the SDK's answers into our records; ETags lose the quotes S3 wraps them in. */
public final class R2Responses {

    private R2Responses() {
    }

    static ObjectHead toHead(String key, HeadObjectResponse r) {
        return new ObjectHead(key, r.contentLength() == null ? -1 : r.contentLength(), unquote(r.eTag()), r.contentType(),
                r.storageClassAsString(), r.metadata());
    }

    static ObjectStream toStream(ResponsePublisher<GetObjectResponse> publisher) {
        GetObjectResponse r = publisher.response();
        Multi<byte[]> body = Multi.createFrom().publisher(FlowAdapters.toFlowPublisher(publisher))
                .map(R2Responses::toArray);
        return new ObjectStream(r.contentLength() == null ? -1 : r.contentLength(), r.contentType(), unquote(r.eTag()),
                r.contentRange(), body);
    }

    static ListPage toPage(ListObjectsV2Response r) {
        List<ListPage.Entry> entries = r.contents().stream()
                .map(o -> new ListPage.Entry(o.key(), o.size() == null ? -1 : o.size(), unquote(o.eTag()),
                        o.lastModified()))
                .toList();
        return new ListPage(entries, Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null);
    }

    static boolean noCorsConfiguration(Throwable failure) {
        return failure instanceof StorageException e && e.status() == 404
                && e.getCause() instanceof AwsServiceException aws && aws.awsErrorDetails() != null
                && "NoSuchCORSConfiguration".equals(aws.awsErrorDetails().errorCode());
    }

    static byte[] toArray(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    public static String unquote(String etag) {
        if (etag == null) {
            return null;
        }
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
    }
}
