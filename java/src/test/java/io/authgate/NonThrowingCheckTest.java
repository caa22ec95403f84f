package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Acl#allowed} and {@link Acl#denial}, and the stack-less denial exception. */
class NonThrowingCheckTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Acl engine() {
        Acl acl = new Acl();
        acl.setuser("alice", "on", "nopass", "~cache:*", "&news", "+get", "+publish");
        return acl;
    }

    @Test
    void everyOverloadAgreesWithCheck() {
        try (Acl acl = engine()) {
            assertTrue(acl.allowed("alice", "GET", "cache:1"));
            assertTrue(acl.allowed("alice", b("GET"), b("cache:1")));
            assertTrue(acl.allowed(b("alice"), b("GET"), b("cache:1")));
            assertNull(acl.denial("alice", "GET", "cache:1"));
            assertNull(acl.denial(b("alice"), b("GET"), b("cache:1")));
            for (List<String> argv : List.of(List.of("DEL", "cache:1"), List.of("GET", "other"),
                    List.of("PUBLISH", "sport", "x"))) {
                String[] a = argv.toArray(String[]::new);
                byte[][] raw = argv.stream().map(NonThrowingCheckTest::b).toArray(byte[][]::new);
                PermissionDeniedException e = assertThrows(PermissionDeniedException.class, () -> acl.check("alice", a));
                AclDenial want = new AclDenial(e.reason(), e.command(), e.object(), e.getMessage());
                assertFalse(acl.allowed("alice", a));
                assertFalse(acl.allowed("alice", raw));
                assertFalse(acl.allowed(b("alice"), raw));
                assertEquals(want, acl.denial("alice", a));
                assertEquals(want, acl.denial("alice", raw));
                assertEquals(want, acl.denial(b("alice"), raw));
            }
        }
    }

    @Test
    void whatIsNoPermissionAnswerStillThrows() {
        try (Acl acl = engine()) {
            AclException arity = assertThrows(AclException.class, () -> acl.allowed("alice", "GET"));
            assertEquals("ERR wrong number of arguments for 'get' command", arity.getMessage());
            assertEquals("NOT_FOUND", assertThrows(AclException.class, () -> acl.denial("nobody", "GET", "k")).code());
            assertEquals("ERR", assertThrows(AclException.class, () -> acl.denial("alice", "NOSUCH")).code());
            assertThrows(NullPointerException.class, () -> acl.allowed("alice", (String) null));
        }
    }

    @Test
    void aDenialIsARealExceptionWithoutAStackTrace() {
        try (Acl acl = engine()) {
            PermissionDeniedException e = assertThrows(PermissionDeniedException.class,
                    () -> acl.check("alice", "GET", "other"));
            assertTrue(e instanceof RuntimeException);
            assertEquals(0, e.getStackTrace().length);
            assertEquals("NOPERM", e.code());
            // Every other error keeps its stack trace.
            AclException other = assertThrows(AclException.class, () -> acl.check("nobody", "GET", "k"));
            assertTrue(other.getStackTrace().length > 0);
        }
    }

    @Test
    void aClosedEngineRefusesBoth() {
        Acl acl = engine();
        acl.close();
        assertThrows(IllegalStateException.class, () -> acl.allowed("alice", "GET", "cache:1"));
        assertThrows(IllegalStateException.class, () -> acl.denial("alice", "GET", "cache:1"));
    }
}
