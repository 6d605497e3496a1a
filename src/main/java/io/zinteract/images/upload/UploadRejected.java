package io.zinteract.images.upload;

import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;

import java.util.Map;

/** The uploaded object failed verification: it is deleted and the upload closed, never retried. */
class UploadRejected extends ApiException {

    UploadRejected(ErrorCode code, String detail, Map<String, Object> extensions) {
        super(code, detail, extensions);
    }
}
