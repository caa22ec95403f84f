package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A Rust panic becomes AuthgateException(PANIC) with core's text, on both native roads (the
 * regular one and the check hot path); the JVM and the library keep working.
 */
class PanicTest {
    @Test
    void panicBecomesAuthgateException() {
        AuthgateException e = assertThrows(AuthgateException.class, () -> NativeLib.debugPanic("boom 42"));
        assertEquals("PANIC", e.code());
        assertEquals("panic in authgate: boom 42", e.getMessage());
        assertFalse(e instanceof AclException);
        assertFalse(e instanceof PermissionDeniedException);
    }

    @Test
    void manyPanicsInARowAndTheLibraryStillWorks() {
        for (int i = 0; i < 20; i++) {
            String msg = "formatted panic " + i;
            AuthgateException e = assertThrows(AuthgateException.class, () -> NativeLib.debugPanic(msg));
            assertEquals("panic in authgate: " + msg, e.getMessage());
        }
        try (Acl acl = new Acl()) {
            acl.setuser("a", "on", ">p");
            assertTrue(acl.authenticate("a", "p"));
        }
    }

    @Test
    void panicOnTheCheckHotPathBecomesAuthgateException() {
        for (int i = 0; i < 5; i++) {
            AuthgateException e = assertThrows(AuthgateException.class, () -> NativeLib.debugPanicFast("fast boom"));
            assertEquals("PANIC", e.code());
            assertEquals("panic in authgate: fast boom", e.getMessage());
        }
        try (Acl acl = new Acl()) {
            acl.check("default", "GET", "k");
        }
    }

    @Test
    void unicodePanicMessage() {
        AuthgateException e = assertThrows(AuthgateException.class, () -> NativeLib.debugPanic("ünïcødé ☃"));
        assertEquals("panic in authgate: ünïcødé ☃", e.getMessage());
    }
}
