package io.zinteract.images.storage;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns SDK failures into ours, deciding once whether a failure is worth retrying. */
final class StorageErrors {

    private StorageErrors() {
    }

    static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static StorageException translate(String operation, String target, Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof StorageException already) {
            return already;
        }
        if (t instanceof SdkServiceException service) {
            int status = service.statusCode();
            String code = service instanceof software.amazon.awssdk.awscore.exception.AwsServiceException aws
                    && aws.awsErrorDetails() != null ? aws.awsErrorDetails().errorCode() : null;
            String message = operation + " " + target + " failed: HTTP " + status + (code == null ? "" : " " + code);
            return status == 429 || status >= 500
                    ? new TransientStorageException(message, status, t)
                    : new StorageException(message, status, t);
        }
        if (t instanceof SdkClientException || t instanceof java.io.IOException
                || t instanceof java.util.concurrent.TimeoutException) {
            return new TransientStorageException(operation + " " + target + " failed: " + rootMessage(t), 0, t);
        }
        return new StorageException(operation + " " + target + " failed: " + rootMessage(t), 0, t);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.length() > 200 ? message.substring(0, 200) : message;
    }
}
