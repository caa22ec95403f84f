package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/** End to end: a Server started from Java, users defined from Java, Jedis as the client. */
class ServerTest {
    private Acl acl;
    private Server server;

    @BeforeEach
    void setUp() {
        acl = new Acl();
        acl.setuser("default", "off");
        acl.setuser("alice", "on", ">secret", "~cache:*", "+@connection", "+get", "+set");
        server = Server.start(acl, "127.0.0.1", 0);
    }

    @AfterEach
    void tearDown() {
        server.close();
        acl.close();
    }

    private Jedis connect(String user, String password) {
        JedisClientConfig config = DefaultJedisClientConfig.builder()
                .user(user)
                .password(password)
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .socketTimeoutMillis(5000)
                .build();
        return new Jedis(new HostAndPort("127.0.0.1", server.port()), config);
    }

    @Test
    void jedisAuthenticatesAndRunsAllowedCommands() {
        assertTrue(server.port() > 0);
        assertEquals(acl, server.acl());
        try (Jedis jedis = connect("alice", "secret")) {
            assertEquals("PONG", jedis.ping());
            assertEquals("OK", jedis.set("cache:1", "v1"));
            assertEquals("v1", jedis.get("cache:1"));
            assertNull(jedis.get("cache:missing"));
        }
    }

    @Test
    void nopermSurfacesAsJedisException() {
        try (Jedis jedis = connect("alice", "secret")) {
            JedisDataException key = assertThrows(JedisDataException.class, () -> jedis.get("other"));
            assertEquals("NOPERM this user has no permissions to access one of the keys used as arguments",
                    key.getMessage());
            JedisDataException cmd = assertThrows(JedisDataException.class, () -> jedis.del("cache:1"));
            assertEquals("NOPERM this user has no permissions to run the 'del' command", cmd.getMessage());
            assertEquals("PONG", jedis.ping(), "the connection survives a denial");
        }
        List<AclLogEntry> log = acl.log();
        assertEquals(2, log.size());
        AclLogEntry newest = log.get(0);
        assertEquals("command", newest.reason());
        assertEquals("del", newest.object());
        assertEquals("alice", newest.username());
        assertEquals("toplevel", newest.context());
        assertEquals(1, newest.count());
        assertTrue(newest.ageSeconds() >= 0);
        assertTrue(newest.clientInfo().contains("user=alice"), newest.clientInfo());
        assertEquals("key", log.get(1).reason());
        assertEquals("other", log.get(1).object());
        acl.logReset();
        assertEquals(List.of(), acl.log());
    }

    @Test
    void wrongpassSurfacesAsJedisException() {
        JedisAccessControlException e =
                assertThrows(JedisAccessControlException.class, () -> connect("alice", "wrong").ping());
        assertEquals("WRONGPASS invalid username-password pair or user is disabled.", e.getMessage());
        assertThrows(JedisAccessControlException.class, () -> connect("nobody", "secret").ping());
        AclLogEntry entry = acl.log(1).get(0);
        assertEquals("auth", entry.reason());
        assertEquals("nobody", entry.username());
    }

    @Test
    void liveSetuserTakesEffectOnOpenConnections() {
        try (Jedis jedis = connect("alice", "secret")) {
            jedis.set("cache:1", "v");
            assertThrows(JedisDataException.class, () -> jedis.del("cache:1"));
            acl.setuser("alice", "+del");
            assertEquals(1L, jedis.del("cache:1"));
            acl.setuser("alice", "-get");
            JedisDataException e = assertThrows(JedisDataException.class, () -> jedis.get("cache:1"));
            assertTrue(e.getMessage().startsWith("NOPERM"), e.getMessage());
            acl.setuser("alice", "resetpass", ">newpw");
        }
        assertThrows(JedisAccessControlException.class, () -> connect("alice", "secret").ping());
        try (Jedis jedis = connect("alice", "newpw")) {
            assertEquals("PONG", jedis.ping());
        }
    }

    @Test
    void deluserDisconnectsAndClientSideAclChangesAreVisibleInJava() {
        acl.setuser("admin", "on", ">adminpw", "~*", "&*", "+@all");
        try (Jedis admin = connect("admin", "adminpw")) {
            admin.aclSetUser("carol", "on", ">c", "~*", "+get");
            assertTrue(acl.authenticate("carol", "c"));
            assertEquals(List.of("admin", "alice", "carol", "default"), acl.users());
            try (Jedis carol = connect("carol", "c")) {
                assertNull(carol.get("x"));
                assertEquals(1, acl.deluser("carol"));
                assertThrows(JedisConnectionException.class, () -> carol.get("x"));
            }
        }
    }

    @Test
    void serverKeepsTheEngineAfterAclClose() {
        acl.close();
        try (Jedis jedis = connect("alice", "secret")) {
            assertEquals("PONG", jedis.ping());
        }
        assertThrows(IllegalStateException.class, () -> acl.users());
    }

    @Test
    void closeStopsTheServer() {
        int port = server.port();
        Jedis jedis = connect("alice", "secret");
        assertEquals("PONG", jedis.ping());
        server.close();
        server.close();
        assertTrue(server.isClosed());
        assertThrows(IllegalStateException.class, () -> server.port());
        assertThrows(JedisConnectionException.class, () -> jedis.ping());
        jedis.close();
        JedisClientConfig config = DefaultJedisClientConfig.builder().connectionTimeoutMillis(1000).build();
        assertThrows(JedisConnectionException.class, () -> {
            try (Jedis again = new Jedis(new HostAndPort("127.0.0.1", port), config)) {
                again.ping();
            }
        });
    }

    @Test
    void bindingABusyPortFails() {
        AuthgateException e = assertThrows(AuthgateException.class,
                () -> Server.start(acl, "127.0.0.1", server.port()));
        assertEquals("IO", e.code());
        assertFalse(e instanceof AclException);
    }

    @Test
    void jedisWithDefaultClientSettings() {
        acl.setuser("full", "on", ">pw", "~*", "&*", "+@all");
        JedisClientConfig config = DefaultJedisClientConfig.builder().user("full").password("pw")
                .clientName("java-test").build();
        try (Jedis jedis = new Jedis(new HostAndPort("127.0.0.1", server.port()), config)) {
            assertEquals("PONG", jedis.ping());
            assertEquals("java-test", jedis.clientGetname());
        }
    }
}
