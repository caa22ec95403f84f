package io.authgate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AclTest {
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
    void defaultUserAllowsEverything() {
        assertEquals(List.of("default"), acl.users());
        assertEquals(List.of("user default on nopass ~* &* +@all"), acl.list());
        assertTrue(acl.authenticate("default", "anything"));
        acl.check("default", "SET", "k", "v");
    }

    @Test
    void setuserAuthenticateAndCheck() {
        acl.setuser("alice", "on", ">secret", "~cache:*", "+get", "+set");
        assertTrue(acl.authenticate("alice", "secret"));
        assertFalse(acl.authenticate("alice", "wrong"));
        assertFalse(acl.authenticate("nobody", "secret"));
        acl.check("alice", "GET", "cache:1");
        acl.check("alice", "set", "cache:1", "v");

        PermissionDeniedException key =
                assertThrows(PermissionDeniedException.class, () -> acl.check("alice", "GET", "other"));
        assertEquals("NOPERM", key.code());
        assertEquals("key", key.reason());
        assertEquals("get", key.command());
        assertEquals("other", key.object());
        assertEquals("NOPERM this user has no permissions to access one of the keys used as arguments",
                key.getMessage());

        PermissionDeniedException cmd =
                assertThrows(PermissionDeniedException.class, () -> acl.check("alice", "CLIENT", "KILL", "x"));
        assertEquals("command", cmd.reason());
        assertEquals("client|kill", cmd.command());
        assertEquals("client|kill", cmd.object(), "a command denial's object is the command");
        assertEquals("NOPERM this user has no permissions to run the 'client|kill' command", cmd.getMessage());
    }

    @Test
    void channelDenial() {
        acl.setuser("pub", "on", "nopass", "resetchannels", "&news.*", "+publish");
        acl.check("pub", "PUBLISH", "news.today", "hi");
        PermissionDeniedException e = assertThrows(PermissionDeniedException.class,
                () -> acl.check("pub", "PUBLISH", "sports", "hi"));
        assertEquals("channel", e.reason());
        assertEquals("sports", e.object());
    }

    @Test
    void binaryArguments() {
        acl.setuser("bin", "on", "nopass", "~k*", "+get");
        byte[] key = {'k', 0, (byte) 0xff};
        acl.check("bin", "GET".getBytes(StandardCharsets.US_ASCII), key);
        byte[] bad = {'x', (byte) 0xfe};
        PermissionDeniedException e = assertThrows(PermissionDeniedException.class,
                () -> acl.check("bin", "GET".getBytes(StandardCharsets.US_ASCII), bad));
        assertArrayEquals(bad, e.objectBytes());
        assertTrue(acl.authenticate("bin".getBytes(StandardCharsets.US_ASCII), new byte[] {1, 2}));
        byte[] user = "bin".getBytes(StandardCharsets.US_ASCII);
        acl.check(user, "GET".getBytes(StandardCharsets.US_ASCII), key);
        assertThrows(PermissionDeniedException.class,
                () -> acl.check(user, "GET".getBytes(StandardCharsets.US_ASCII), bad));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyStringOperationTakesBytes() {
        byte[] name = {'b', 'y', (byte) 0xC3, (byte) 0xA9};
        acl.setuser(name, b("on"), new byte[] {'>', 0, (byte) 0xFF}, b("~k*"), b("+get"));
        assertTrue(acl.authenticate(name, new byte[] {0, (byte) 0xFF}));
        assertFalse(acl.authenticate(name, new byte[] {0}));
        assertEquals(List.of("on"), acl.getuser(name).flags());
        assertEquals(acl.getuser("by\u00e9"), acl.getuser(name));
        assertEquals("OK", acl.dryrun(name, b("GET"), b("k1")));
        assertEquals("This user has no permissions to access the 'x' key", acl.dryrun("by\u00e9", b("GET"), b("x")));
        assertEquals(acl.cat("transaction"), acl.cat(b("transaction")));
        assertEquals(1, acl.deluser(name, b("nobody")));
        acl.setRequirepass(new byte[] {'p', 0});
        assertTrue(acl.authenticate("default", "p\0"));
        acl.setPubsubDefault(b("ALLCHANNELS"));
        assertEquals("allchannels", acl.pubsubDefault());
    }

    @Test
    void unicodeArgumentsAreUtf8() {
        acl.setuser("u", "on", ">pässwörd☃", "~ключ:*", "+get");
        assertTrue(acl.authenticate("u", "pässwörd☃"));
        acl.check("u", "GET", "ключ:1");
        acl.check("u", "GET", "ключ:\uD83D\uDE00");
        assertThrows(PermissionDeniedException.class, () -> acl.check("u", "GET", "key"));
    }

    @Test
    void errorsCarryRedisTexts() {
        AclException rule = assertThrows(AclException.class, () -> acl.setuser("x", "on", "badrule"));
        assertEquals("ERR", rule.code());
        assertEquals("ERR Error in ACL SETUSER modifier 'badrule': Syntax error", rule.getMessage());
        assertNull(acl.getuser("x"), "setuser is all or nothing");

        AclException unknown = assertThrows(AclException.class, () -> acl.check("nobody", "GET", "k"));
        assertEquals("NOT_FOUND", unknown.code());
        assertEquals("ERR User 'nobody' not found", unknown.getMessage());
        assertEquals("NOT_FOUND", assertThrows(AclException.class, () -> acl.dryrun("nobody", "GET", "k")).code());

        AclException cmd = assertThrows(AclException.class, () -> acl.check("default", "NOSUCH", "a"));
        assertEquals("ERR", cmd.code());
        assertEquals("ERR unknown command 'NOSUCH', with args beginning with: 'a' ", cmd.getMessage());

        AclException arity = assertThrows(AclException.class, () -> acl.check("default", "GET"));
        assertEquals("ERR wrong number of arguments for 'get' command", arity.getMessage());

        AclException del = assertThrows(AclException.class, () -> acl.deluser("default"));
        assertEquals("ERR The 'default' user cannot be removed", del.getMessage());
        assertTrue(del instanceof AuthgateException);
    }

    @Test
    void getuserIsTyped() {
        acl.setuser("bob", "on", ">pw", "%R~read:*", "&chan", "+@read", "(+set ~w:*)");
        AclUser u = acl.getuser("bob");
        assertEquals(List.of("on"), u.flags());
        assertTrue(u.enabled());
        assertFalse(u.nopass());
        assertEquals(1, u.passwords().size());
        assertEquals(64, u.passwords().get(0).length());
        assertEquals("%R~read:*", u.keys());
        assertEquals("&chan", u.channels());
        assertEquals("-@all +@read", u.commands());
        assertEquals(1, u.selectors().size());
        assertEquals(new AclSelector("-@all +set", "~w:*", ""), u.selectors().get(0));
        assertEquals(u.root(), new AclSelector(u.commands(), u.keys(), u.channels()));
        assertNull(acl.getuser("nobody"));
    }

    @Test
    void deluserUsersListCat() {
        acl.setuser("a");
        acl.setuser("b");
        assertEquals(List.of("a", "b", "default"), acl.users());
        assertEquals(2, acl.deluser("a", "b", "c"));
        assertEquals(0, acl.deluser("a"));
        assertEquals(List.of("default"), acl.users());
        assertTrue(acl.cat().contains("keyspace"));
        assertEquals(List.of("discard", "exec", "multi", "unwatch", "watch"),
                acl.cat("transaction").stream().sorted().toList());
        AclException e = assertThrows(AclException.class, () -> acl.cat("nosuch"));
        assertEquals("ERR Unknown category 'nosuch'", e.getMessage());
    }

    @Test
    void dryrun() {
        acl.setuser("d", "on", "nopass", "~k*", "+get");
        assertEquals("OK", acl.dryrun("d", "GET", "k1"));
        assertEquals("This user has no permissions to access the 'x' key", acl.dryrun("d", "GET", "x"));
        assertEquals("This user has no permissions to run the 'set' command", acl.dryrun("d", "SET", "k", "v"));
        AclException e = assertThrows(AclException.class, () -> acl.dryrun("d", "NOSUCH"));
        assertEquals("ERR Command 'NOSUCH' not found", e.getMessage());
    }

    @Test
    void genpass() {
        assertEquals(256, Acl.DEFAULT_GENPASS_BITS);
        assertTrue(Acl.genpass().matches("[0-9a-f]{64}"));
        assertEquals(2, Acl.genpass(5).length());
        assertTrue(Acl.genpass(4096).matches("[0-9a-f]{1024}"));
        assertThrows(AclException.class, () -> Acl.genpass(0));
        AclException e = assertThrows(AclException.class, () -> Acl.genpass(4097));
        assertEquals("ERR ACL GENPASS argument must be the number of bits for the output password, "
                + "a positive number up to 4096", e.getMessage());
        assertEquals(e.getMessage(), assertThrows(AclException.class, () -> Acl.genpass(-1)).getMessage(),
                "a negative count is out of range, as in Redis");
    }

    @Test
    void logIsEmptyWithoutAServer() {
        assertEquals(List.of(), acl.log());
        assertEquals(List.of(), acl.log(5));
        acl.logReset();
        AuthgateException e = assertThrows(AuthgateException.class, () -> acl.log(-1));
        assertEquals("INVALID_ARGUMENT", e.code());
    }

    @Test
    void saveLoadAndFromFile(@TempDir Path dir) throws Exception {
        acl.setuser("alice", "on", ">secret", "~cache:*", "+get");
        Path file = dir.resolve("users.acl");
        acl.save(file);
        String text = Files.readString(file);
        assertTrue(text.contains("user alice on #"), text);

        try (Acl loaded = Acl.fromFile(file)) {
            assertEquals(List.of("alice", "default"), loaded.users());
            assertTrue(loaded.authenticate("alice", "secret"));
        }
        try (Acl other = new Acl()) {
            other.setuser("zed");
            other.load(file.toString());
            assertEquals(List.of("alice", "default"), other.users());
        }
        Path missing = dir.resolve("missing.acl");
        ConfigException e = assertThrows(ConfigException.class, () -> Acl.fromFile(missing));
        assertEquals("CONFIG", e.code());
        assertEquals("ERR Error loading ACLs, opening file '" + missing + "': No such file or directory",
                e.getMessage());

        Path bad = dir.resolve("bad.acl");
        Files.writeString(bad, "user x on badrule\n");
        ConfigException parse = assertThrows(ConfigException.class, () -> acl.load(bad));
        assertTrue(parse.getMessage().startsWith("ERR " + bad + ":1: "), parse.getMessage());
        assertEquals(List.of("alice", "default"), acl.users(), "a failed load changes nothing");
        ConfigException check = assertThrows(ConfigException.class, () -> acl.checkAclfile(bad));
        assertEquals(parse.getMessage(), check.getMessage());
        acl.checkAclfile(file);
        acl.checkAclfile(file.toString());

        AuthgateException save = assertThrows(AuthgateException.class, () -> acl.save(dir.resolve("no/such/dir.acl")));
        assertEquals("IO", save.code());
        assertFalse(save instanceof AclException);
        assertEquals("ERR There was an error trying to save the ACLs. Please check the server logs for more information",
                save.getMessage());
    }

    @Test
    void fromFileWithOptionsAndBytes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("users.acl");
        Files.writeString(file, "user p on nopass +publish\n");
        AclOptions all = AclOptions.defaults().withPubsubDefault("allchannels");
        try (Acl loaded = Acl.fromFile(file, all)) {
            assertEquals(all, loaded.options());
            loaded.check("p", "PUBLISH", "any", "msg");
        }
        try (Acl loaded = Acl.fromFile(file.toString(), all)) {
            loaded.check("p", "PUBLISH", "any", "msg");
        }
        try (Acl loaded = Acl.fromFile(b(file.toString()))) {
            assertThrows(PermissionDeniedException.class, () -> loaded.check("p", "PUBLISH", "any", "msg"));
        }
        try (Acl loaded = Acl.fromFile(b(file.toString()), all.withLogMaxLen(3))) {
            assertEquals(3, loaded.logMaxLen());
        }
        Acl other = new Acl();
        other.load(b(file.toString()));
        other.save(b(dir.resolve("copy.acl").toString()));
        other.checkAclfile(b(dir.resolve("copy.acl").toString()));
        other.close();
    }

    @Test
    void optionsConstructorAndSettings() {
        AclOptions defaults = AclOptions.defaults();
        assertEquals(new AclOptions("resetchannels", 128), defaults);
        assertEquals(defaults, acl.options());
        try (Acl all = new Acl(defaults.withPubsubDefault("AllChannels").withLogMaxLen(16))) {
            assertEquals(new AclOptions("allchannels", 16), all.options());
            all.setuser("p", "on", "nopass", "+publish");
            all.check("p", "PUBLISH", "any", "msg");
        }
        AuthgateException negative = assertThrows(AuthgateException.class, () -> defaults.withLogMaxLen(-1));
        assertEquals("INVALID_ARGUMENT", negative.code());
        AuthgateException bad = assertThrows(AuthgateException.class, () -> new AclOptions("all", 1));
        assertEquals("INVALID_ARGUMENT", bad.code());
        assertEquals("argument(s) must be one of the following: allchannels, resetchannels", bad.getMessage());

        acl.setPubsubDefault("ALLCHANNELS");
        assertEquals("allchannels", acl.pubsubDefault());
        acl.setuser("later", "on", "nopass", "+publish");
        acl.check("later", "PUBLISH", "c", "m");
        AuthgateException e = assertThrows(AuthgateException.class, () -> acl.setPubsubDefault("sometimes"));
        assertEquals(bad.getMessage(), e.getMessage());
        assertEquals("allchannels", acl.pubsubDefault(), "a bad value changes nothing");

        acl.setLogMaxLen(5);
        assertEquals(5, acl.logMaxLen());
        assertEquals("INVALID_ARGUMENT", assertThrows(AuthgateException.class, () -> acl.setLogMaxLen(-2)).code());
        acl.setOptions(defaults);
        assertEquals(defaults, acl.options());
    }

    @Test
    void setRequirepass() {
        acl.setRequirepass("hunter2");
        assertFalse(acl.authenticate("default", "other"));
        assertTrue(acl.authenticate("default", "hunter2"));
        assertEquals(1, acl.getuser("default").passwords().size());
        acl.setRequirepass("");
        assertTrue(acl.getuser("default").nopass());
    }
}
