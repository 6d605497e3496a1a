package io.zinteract.images.image.serve;

import io.zinteract.images.error.ApiException;
import io.zinteract.images.error.ErrorCode;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ByteRangeTest {

    @Test
    void resolvesTheThreeFormsOfASingleRange() {
        assertEquals(Optional.of(new ByteRange(0, 9)), ByteRange.parse("bytes=0-9", 100));
        assertEquals(Optional.of(new ByteRange(90, 99)), ByteRange.parse("bytes=90-", 100));
        assertEquals(Optional.of(new ByteRange(95, 99)), ByteRange.parse("bytes=-5", 100));
        assertEquals(Optional.of(new ByteRange(0, 99)), ByteRange.parse("bytes=-500", 100), "suffix longer than the file");
        assertEquals(Optional.of(new ByteRange(50, 99)), ByteRange.parse("bytes=50-1000", 100), "end clipped");
        assertEquals("bytes 0-9/100", new ByteRange(0, 9).contentRange(100));
    }

    @Test
    void servesTheWholeImageForWhatItDoesNotHandle() {
        assertEquals(Optional.empty(), ByteRange.parse(null, 100));
        assertEquals(Optional.empty(), ByteRange.parse("bytes=0-1,5-6", 100));
        assertEquals(Optional.empty(), ByteRange.parse("items=0-1", 100));
        assertEquals(Optional.empty(), ByteRange.parse("bytes=a-b", 100));
    }

    @Test
    void refusesRangesOutsideTheImage() {
        for (String header : new String[] {"bytes=100-", "bytes=100-200", "bytes=5-2", "bytes=-0"}) {
            ApiException e = assertThrows(ApiException.class, () -> ByteRange.parse(header, 100), header);
            assertEquals(ErrorCode.RANGE_NOT_SATISFIABLE, e.code());
        }
    }
}
