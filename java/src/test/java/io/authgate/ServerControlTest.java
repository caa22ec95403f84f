package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/** The restartable Server (core's ServerController) and every builder option, with Jedis. */
class ServerControlTest {
    private Acl acl;

    @BeforeEach
    void setUp() {
        acl = new Acl();
    }

    @AfterEach
    void tearDown() {
        acl.close();
    }

    private static Jedis connect(int port, String user, String password) {
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .connectionTimeoutMillis(2000)
                .socketTimeoutMillis(5000);
        if (password != null) {
            b.user(user).password(password);
        }
        JedisClientConfig config = b.build();
        return new Jedis(new HostAndPort("127.0.0.1", port), config);
    }

    private static String ping(int port) {
        try (Jedis j = connect(port, null, null)) {
            return j.ping();
        }
    }

    @Test
    void startStopRestart() {
        try (Server server = Server.builder(acl).build()) {
            assertFalse(server.running());
            assertEquals(0, server.port(), "before the first start: the configured port");
            assertEquals("127.0.0.1", server.host());
            int port = server.start();
            assertTrue(server.running());
            assertTrue(port > 0);
            assertEquals(port, server.port());
            assertEquals("PONG", ping(port));

            AuthgateException again = assertThrows(AuthgateException.class, server::start);
            assertEquals("INVALID_ARGUMENT", again.code());
            assertEquals("the server is already running", again.getMessage());

            assertTrue(server.stop());
            assertFalse(server.stop());
            assertFalse(server.running());
            assertEquals(port, server.port(), "after a stop: the last bound port");
            assertThrows(JedisConnectionException.class, () -> ping(port));

            int second = server.restart();
            assertTrue(server.running());
            assertEquals(second, server.port());
            assertEquals("PONG", ping(second));
            int third = server.restart();
            assertEquals("PONG", ping(third));
            assertTrue(server.stop());
            int fourth = server.start();
            assertEquals(fourth, server.port());
        }
    }

    @Test
    void staticStartUsesCoreDefaults() {
        try (Server server = Server.start(acl)) {
            assertTrue(server.running());
            assertEquals("127.0.0.1", server.host());
            assertEquals(10000, server.maxclients());
            assertEquals("PONG", ping(server.port()));
        }
    }

    @Test
    void requirepassAppliesToTheSharedEngineAtStart() {
        try (Server server = Server.builder(acl).requirepass("s3cret").start()) {
            assertTrue(acl.authenticate("default", "s3cret"));
            assertFalse(acl.authenticate("default", "other"));
            try (Jedis anonymous = connect(server.port(), null, null)) {
                JedisDataException e = assertThrows(JedisDataException.class, () -> anonymous.get("k"));
                assertEquals("NOAUTH Authentication required.", e.getMessage());
            }
            try (Jedis j = connect(server.port(), "default", "s3cret")) {
                assertEquals("PONG", j.ping());
            }
        }
    }

    @Test
    void aclfileIsLoadedAtStartAndSavedByAclSave(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("users.acl");
        Files.writeString(file, "user admin on >pw ~* &* +@all\n");
        try (Server server = Server.builder(acl).aclfile(file).start()) {
            assertEquals(List.of("admin", "default"), acl.users());
            try (Jedis j = connect(server.port(), "admin", "pw")) {
                j.aclSetUser("carol", "on", ">c", "+get", "~*");
                assertEquals("OK", j.aclSave());
            }
        }
        assertTrue(Files.readString(file).contains("user carol on"), Files.readString(file));
    }

    @Test
    void aBadAclfileFailsStartWithConfigAndLeavesItStopped(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.acl");
        Files.writeString(file, "user x on badrule\n");
        try (Server server = Server.builder(acl).aclfile(file.toString()).build()) {
            ConfigException e = assertThrows(ConfigException.class, server::start);
            assertEquals("CONFIG", e.code());
            assertFalse(server.running());
        }
        assertThrows(ConfigException.class, () -> Server.builder(acl).aclfile(file).start());
    }

    @Test
    void maxclientsRefusesTheNextClient() {
        try (Server server = Server.builder(acl).maxclients(1).start()) {
            assertEquals(1, server.maxclients());
            try (Jedis first = connect(server.port(), null, null)) {
                assertEquals("PONG", first.ping());
                try (Jedis second = connect(server.port(), null, null)) {
                    Exception e = assertThrows(Exception.class, second::ping);
                    assertTrue(String.valueOf(e.getMessage()).contains("max number of clients reached"),
                            String.valueOf(e.getMessage()));
                }
            }
        }
    }

    @Test
    void configFileGivesItsValuesAndOptionsOverrideThem(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("redis.conf");
        Files.writeString(conf, "port 0\nmaxclients 7\nrequirepass cfgpw\nuser bob on >b ~* +@all\n");
        try (Server server = Server.builder(acl).config(conf).build()) {
            assertEquals(7, server.maxclients());
            int port = server.start();
            assertTrue(acl.authenticate("default", "cfgpw"));
            try (Jedis j = connect(port, "bob", "b")) {
                assertEquals("PONG", j.ping());
            }
        }
        try (Server server = Server.builder(acl).config(conf.toString()).maxclients(3).port(0).build()) {
            assertEquals(3, server.maxclients());
            assertEquals(0, server.port());
        }
        Files.writeString(conf, "port 6379\n");
        try (Server server = Server.builder(acl).config(conf).build()) {
            assertEquals(6379, server.port(), "a config file brings Redis' defaults");
            assertNotEquals(0, server.port());
        }
    }

    @Test
    void aBadConfigFileFailsBuildWithConfig(@TempDir Path dir) throws Exception {
        ConfigException missing = assertThrows(ConfigException.class,
                () -> Server.builder(acl).config(dir.resolve("none.conf")).build());
        assertEquals("CONFIG", missing.code());
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "no-such-directive 1\n");
        assertThrows(ConfigException.class, () -> Server.builder(acl).config(conf).build());
    }
}
