package io.zinteract.images.migration.action;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Cleanup lists each place of ours once: under an empty R2_KEY_PREFIX one listing holds images, uploads and variants. */
class CleanupPrefixesTest {

    @Test
    void imagesUploadsAndVariantsEachOnce() {
        assertEquals(List.of("images/", "uploads/", "variants/"), CleanupAction.prefixes("images/"));
        assertEquals(List.of(""), CleanupAction.prefixes(""));
        assertEquals(List.of("uploads/", "variants/"), CleanupAction.prefixes("uploads/staged/"));
    }
}
