package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Nulls, empty and huge arguments, odd bytes: exceptions, never a crash. */
class BadInputTest {
    private Acl acl;

    @BeforeEach
    void setUp() {
        acl = new Acl();
    }

    @AfterEach
    void tearDown() {
        acl.close();
    }

    @Test
    void nullsAreNullPointerExceptions() {
        assertThrows(NullPointerException.class, () -> acl.setuser((String) null));
        assertThrows(NullPointerException.class, () -> acl.setuser((byte[]) null));
        assertThrows(NullPointerException.class, () -> acl.setuser(new byte[] {1}, (byte[]) null));
        assertThrows(NullPointerException.class, () -> acl.setuser("a", (String) null));
        assertThrows(NullPointerException.class, () -> acl.setuser("a", (String[]) null));
        assertThrows(NullPointerException.class, () -> acl.check(null, "GET", "k"));
        assertThrows(NullPointerException.class, () -> acl.check((byte[]) null, new byte[] {1}));
        assertThrows(NullPointerException.class, () -> acl.deluser((String) null));
        assertThrows(NullPointerException.class, () -> acl.deluser((byte[]) null));
        assertThrows(NullPointerException.class, () -> acl.check("default", "GET", null));
        assertThrows(NullPointerException.class, () -> acl.check("default", (String[]) null));
        assertThrows(NullPointerException.class, () -> acl.check("default", new byte[][] {null}));
        assertThrows(NullPointerException.class, () -> acl.authenticate(null, "x"));
        assertThrows(NullPointerException.class, () -> acl.getuser((String) null));
        assertThrows(NullPointerException.class, () -> acl.getuser((byte[]) null));
        assertThrows(NullPointerException.class, () -> acl.cat((String) null));
        assertThrows(NullPointerException.class, () -> acl.cat((byte[]) null));
        assertThrows(NullPointerException.class, () -> acl.dryrun("default", (String) null));
        assertThrows(NullPointerException.class, () -> acl.load((Path) null));
        assertThrows(NullPointerException.class, () -> Server.start(null, "127.0.0.1", 0));
        // and the thread-local buffer is still usable afterwards
        acl.check("default", "GET", "k");
    }

    @Test
    void emptyCommandLine() {
        AclException e = assertThrows(AclException.class, () -> acl.check("default", new String[0]));
        assertEquals("ERR", e.code());
        assertThrows(AclException.class, () -> acl.check("default", ""));
        assertThrows(AclException.class, () -> acl.dryrun("default", new String[0]));
        assertThrows(AclException.class, () -> acl.dryrun(new byte[0], new byte[0][]));
    }

    @Test
    void badUserNames() {
        AclException e = assertThrows(AclException.class, () -> acl.setuser("has space"));
        assertEquals("ERR Usernames can't contain spaces or null characters", e.getMessage());
        assertThrows(AclException.class, () -> acl.setuser("nul\0char"));
    }

    @Test
    void unmatchedParenthesis() {
        AclException e = assertThrows(AclException.class, () -> acl.setuser("s", "(+get", "~k"));
        assertEquals("ERR Unmatched parenthesis in acl selector starting at '(+get'.", e.getMessage());
    }

    @Test
    void hugeArguments() {
        String big = "k".repeat(1 << 20);
        acl.setuser("big", "on", "nopass", "~k*", "+get", "+mset");
        acl.check("big", "GET", big);
        String[] many = new String[20_001];
        many[0] = "MSET";
        for (int i = 1; i < many.length; i++) {
            many[i] = "k" + i;
        }
        acl.check("big", many);
        many[many.length - 2] = "x";
        PermissionDeniedException e = assertThrows(PermissionDeniedException.class, () -> acl.check("big", many));
        assertEquals("x", e.object());
        assertTrue(acl.authenticate("big", big), "nopass accepts any password");
    }

    @Test
    void badServerArguments() {
        for (int port : new int[] {70000, -1}) {
            AuthgateException e = assertThrows(AuthgateException.class, () -> Server.start(acl, "127.0.0.1", port));
            assertEquals("INVALID_ARGUMENT", e.code());
            assertEquals("port out of range: " + port, e.getMessage());
        }
        AuthgateException zero = assertThrows(AuthgateException.class, () -> Server.builder(acl).maxclients(0).build());
        assertEquals("INVALID_ARGUMENT", zero.code());
        assertEquals("INVALID_ARGUMENT",
                assertThrows(AuthgateException.class, () -> Server.builder(acl).maxclients(-3).build()).code());
        assertEquals("INVALID_ARGUMENT",
                assertThrows(AuthgateException.class, () -> Server.builder(acl).host(" ").build()).code());
        AuthgateException e = assertThrows(AuthgateException.class, () -> Server.start(acl, "256.0.0.1", 0));
        assertFalse(e instanceof AclException);
        assertNotEquals("PANIC", e.code());
        assertThrows(NullPointerException.class, () -> Server.builder(acl).host(null));
        assertThrows(NullPointerException.class, () -> Server.builder(acl).requirepass((byte[]) null));
        assertThrows(NullPointerException.class, () -> Server.builder(null));
    }

    @Test
    void nullSettings() {
        assertThrows(NullPointerException.class, () -> acl.setPubsubDefault((String) null));
        assertThrows(NullPointerException.class, () -> acl.setRequirepass((byte[]) null));
        assertThrows(NullPointerException.class, () -> acl.setOptions(null));
        assertThrows(NullPointerException.class, () -> new AclOptions(null, 1));
        assertThrows(NullPointerException.class, () -> Acl.fromFile((Path) null));
        assertThrows(NullPointerException.class, () -> acl.checkAclfile((byte[]) null));
    }
}
