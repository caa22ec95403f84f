package io.authgate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The error contract: every code maps to its exception class through the one native mapper,
 * with core's code string and text; the errors ACL operations really raise carry their fields.
 */
class ErrorTest {
    /** The class each code surfaces as (the codes are tests/fixtures/vocabulary.json's). */
    static final Map<String, Class<? extends AuthgateException>> CLASSES = Map.ofEntries(
            Map.entry("NOPERM", PermissionDeniedException.class),
            Map.entry("WRONGPASS", AuthException.class),
            Map.entry("NOAUTH", AuthException.class),
            Map.entry("AUTH", AuthException.class),
            Map.entry("ERR", AclException.class),
            Map.entry("NOT_FOUND", AclException.class),
            Map.entry("IO", AuthgateException.class),
            Map.entry("INVALID_ARGUMENT", AuthgateException.class),
            Map.entry("PANIC", AuthgateException.class),
            Map.entry("CONFIG", ConfigException.class),
            Map.entry("CERTIFICATE", CertificateException.class),
            Map.entry("CREDENTIAL", CredentialException.class));

    /** Fails natively with `code` and returns what Java received. */
    static AuthgateException raised(String code) {
        return assertThrows(AuthgateException.class, () -> NativeLib.debugError(code, "text of " + code));
    }

    @Test
    void everyCodeMapsToItsClass() {
        for (Map.Entry<String, Class<? extends AuthgateException>> c : CLASSES.entrySet()) {
            AuthgateException e = raised(c.getKey());
            assertSame(c.getValue(), e.getClass(), c.getKey());
            assertEquals(c.getKey(), e.code());
            assertEquals("text of " + c.getKey(), e.getMessage());
        }
    }

    @Test
    void anUnknownCodeIsAnInvalidArgument() {
        AuthgateException e = raised("NO_SUCH_CODE");
        assertEquals("INVALID_ARGUMENT", e.code());
        assertSame(AuthgateException.class, e.getClass());
    }

    @Test
    void credentialErrorsCarryMilvusCode() {
        CredentialException with = assertThrows(CredentialException.class,
                () -> NativeLib.debugError("CREDENTIAL", "user already exists", 65535));
        assertEquals("CREDENTIAL", with.code());
        assertEquals(OptionalLong.of(65535), with.milvusCode());
        assertEquals(OptionalLong.empty(), ((CredentialException) raised("CREDENTIAL")).milvusCode());
    }

    @Test
    void aDenialWithoutFieldsIsStillAPermissionDenial() {
        PermissionDeniedException e = (PermissionDeniedException) raised("NOPERM");
        assertNull(e.reason());
        assertNull(e.command());
        assertNull(e.object());
        assertNull(e.objectBytes());
    }

    @Test
    void realDenialsCarryCoreFields() {
        try (Acl acl = new Acl()) {
            acl.setuser("u", "on", "nopass", "~k*", "resetchannels", "&c*", "+get", "+publish");
            PermissionDeniedException key = assertThrows(PermissionDeniedException.class,
                    () -> acl.check("u", "GET".getBytes(StandardCharsets.UTF_8), new byte[] {'x', 0, (byte) 0xFF}));
            assertEquals("NOPERM", key.code());
            assertEquals("key", key.reason());
            assertEquals("get", key.command());
            assertArrayEquals(new byte[] {'x', 0, (byte) 0xFF}, key.objectBytes());
            PermissionDeniedException channel = assertThrows(PermissionDeniedException.class,
                    () -> acl.check("u", "PUBLISH", "news", "m"));
            assertEquals("channel", channel.reason());
            assertEquals("news", channel.object());
            PermissionDeniedException command = assertThrows(PermissionDeniedException.class,
                    () -> acl.check("u", "SET", "k", "v"));
            assertEquals("command", command.reason());
            assertEquals("set", command.object());
            assertEquals("NOPERM this user has no permissions to run the 'set' command", command.getMessage());
        }
    }

    @Test
    void realErrorsOfEachAclFamily(@TempDir Path dir) throws Exception {
        try (Acl acl = new Acl()) {
            assertEquals("NOT_FOUND", assertThrows(AclException.class, () -> acl.check("ghost", "GET", "k")).code());
            assertEquals("ERR", assertThrows(AclException.class, () -> acl.setuser("x", "bad")).code());
            Path bad = dir.resolve("bad.acl");
            Files.writeString(bad, "nonsense\n");
            assertEquals("CONFIG", assertThrows(ConfigException.class, () -> acl.load(bad)).code());
            AuthgateException io = assertThrows(AuthgateException.class, () -> acl.save(dir.resolve("none/x.acl")));
            assertEquals("IO", io.code());
            // Redis' fixed reply text; why it failed is the detail (Redis writes it to its log).
            assertEquals("ERR There was an error trying to save the ACLs. Please check the server logs for more "
                    + "information", io.getMessage());
            assertTrue(io.detail().orElseThrow().contains("No such file or directory"), io.detail().toString());
            AclException notFound = assertThrows(AclException.class, () -> acl.check("ghost", "GET", "k"));
            assertEquals(java.util.Optional.empty(), notFound.detail());
            assertEquals(java.util.OptionalInt.empty(), notFound.osError());
            AuthgateException arg = assertThrows(AuthgateException.class, () -> acl.setPubsubDefault("x"));
            assertEquals("INVALID_ARGUMENT", arg.code());
            assertFalse(arg instanceof AclException);
        }
    }

    @Test
    void aPortInUseCarriesTheOsError() throws Exception {
        try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"));
                Acl acl = new Acl()) {
            AuthgateException e = assertThrows(AuthgateException.class,
                    () -> Server.builder(acl).host("127.0.0.1").port(busy.getLocalPort()).start());
            assertEquals("IO", e.code());
            // Linux's EADDRINUSE (Java has no errno constants).
            assertEquals(java.util.OptionalInt.of(98), e.osError(), e.getMessage());
        }
    }

    @Test
    void panicsAreAuthgateExceptionsWithCodePanic() {
        AuthgateException slow = assertThrows(AuthgateException.class, () -> NativeLib.debugPanic("p1"));
        AuthgateException fast = assertThrows(AuthgateException.class, () -> NativeLib.debugPanicFast("p2"));
        for (AuthgateException e : new AuthgateException[] {slow, fast}) {
            assertEquals("PANIC", e.code());
            assertSame(AuthgateException.class, e.getClass());
            assertTrue(e.getMessage().startsWith("panic in authgate: p"), e.getMessage());
        }
    }

    @Test
    void exceptionsAreUnchecked() {
        assertTrue(RuntimeException.class.isAssignableFrom(AuthgateException.class));
        for (Class<? extends AuthgateException> c : CLASSES.values()) {
            assertTrue(AuthgateException.class.isAssignableFrom(c));
        }
    }
}
