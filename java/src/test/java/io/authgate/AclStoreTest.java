package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Acl.fromStore (issue 17): an engine embedded in Java and an {@code authgate serve --acl-store}
 * node share one etcd ACL store on loopback (Debian's etcd-server, as {@code make test-java}
 * installs it; the authgate binary from {@code AUTHGATE_BIN}). The engine's setuser reaches
 * the server (AUTH and ACL LIST over Jedis) and the server's ACL SETUSER / DELUSER reach the
 * engine, each awaited on the observed state with a deadline; a bad address, an unreachable
 * store without cache and bad store options are refused.
 */
class AclStoreTest {
    @TempDir
    static Path data;
    static Process etcd;
    static int etcdPort;

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Polls {@code condition} until it holds or 20 s pass (the 10 ms pause only spaces polls). */
    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not seen within 20 s");
            }
            Thread.sleep(10);
        }
    }

    static Process start(String... argv) throws IOException {
        return new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    static void stop(Process p) throws InterruptedException {
        if (p != null) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    @BeforeAll
    static void startEtcd() throws Exception {
        etcdPort = freePort();
        int peer = freePort();
        String client = "http://127.0.0.1:" + etcdPort;
        String peers = "http://127.0.0.1:" + peer;
        etcd = start("etcd", "--data-dir", data.resolve("etcd").toString(), "--listen-client-urls", client,
                "--advertise-client-urls", client, "--listen-peer-urls", peers, "--initial-advertise-peer-urls", peers,
                "--initial-cluster", "default=" + peers);
        awaitTrue(() -> listening(etcdPort), "etcd listening");
    }

    @AfterAll
    static void stopEtcd() throws InterruptedException {
        stop(etcd);
    }

    static String authgateBin() {
        String bin = System.getenv("AUTHGATE_BIN");
        Path path = bin != null ? Path.of(bin) : Path.of("..", "target", "x86_64-unknown-linux-gnu", "debug", "authgate");
        assertTrue(Files.isExecutable(path), "the authgate binary is needed at " + path + " (make build)");
        return path.toString();
    }

    static Jedis connect(int port, String user, String password) {
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED).socketTimeoutMillis(10_000);
        if (user != null) {
            b.user(user).password(password);
        }
        return new Jedis(new HostAndPort("127.0.0.1", port), b.build());
    }

    /** True if {@code user} logs in to the server with {@code password} and may GET cache:1. */
    static boolean serverLogin(int port, String user, String password) {
        try (Jedis j = connect(port, user, password)) {
            return j.get("cache:1") == null;
        } catch (JedisException e) {
            return false;
        }
    }

    static List<String> serverAclList(int port) {
        try (Jedis j = connect(port, null, null)) {
            return j.aclList();
        }
    }

    @Test
    void anEmbeddedAclAndAServerShareOneStore() throws Exception {
        String url = "etcd://127.0.0.1:" + etcdPort + "/shared";
        Path dir = Files.createDirectories(data.resolve("server"));
        try (Acl acl = Acl.fromStore(url, AclStoreOptions.none().withCacheFile(data.resolve("java.cache")))) {
            int port = freePort();
            Process server = start(authgateBin(), "serve", "--port", String.valueOf(port), "--dir", dir.toString(),
                    "--acl-store", url);
            try {
                awaitTrue(() -> listening(port), "the server listening");
                // The engine's setuser reaches the server ...
                acl.setuser("svc", "on", ">pw", "~cache:*", "+get");
                awaitTrue(() -> serverLogin(port, "svc", "pw"), "svc on the server");
                // ... and the server's ACL SETUSER / DELUSER reach the engine.
                try (Jedis j = connect(port, null, null)) {
                    assertEquals("OK", j.aclSetUser("ops", "on", ">x", "+ping"));
                }
                awaitTrue(() -> acl.authenticate("ops", "x"), "ops in the engine");
                acl.check("svc", "GET", "cache:1");
                assertThrows(PermissionDeniedException.class, () -> acl.check("svc", "SET", "cache:1", "v"));
                try (Jedis j = connect(port, null, null)) {
                    assertEquals(1L, j.aclDelUser("svc"));
                }
                awaitTrue(() -> !acl.users().contains("svc"), "svc gone from the engine");
                // Invalid rules: Redis' error, nothing written.
                AuthgateException bad = assertThrows(AuthgateException.class, () -> acl.setuser("ops", "+nosuch"));
                assertTrue(bad.getMessage().contains("Error in ACL SETUSER modifier '+nosuch'"), bad.getMessage());
                // DELUSER through the store: the engine's count, and the server loses the user.
                assertEquals(1, acl.deluser("ops"));
                awaitTrue(() -> !serverLogin(port, "ops", "x"), "ops gone from the server");
                // Both sides hold the same users.
                awaitTrue(() -> serverAclList(port).equals(acl.list()), "the same ACL LIST");
                assertTrue(acl.list().get(0).startsWith("user default on nopass "), acl.list().get(0));
            } finally {
                stop(server);
            }
        }
    }

    @Test
    void fromStoreRefusesBadAddressesUnreachableStoresAndBadOptions() throws Exception {
        AuthgateException e = assertThrows(AuthgateException.class, () -> Acl.fromStore("redis://127.0.0.1:1/x"));
        assertEquals("INVALID_ARGUMENT", e.code());
        String url = "etcd://127.0.0.1:" + freePort() + "/x";
        assertEquals("IO", assertThrows(AuthgateException.class, () -> Acl.fromStore(url)).code());
        e = assertThrows(AuthgateException.class,
                () -> Acl.fromStore(url, AclStoreOptions.none().withCertFile(Path.of("/x.pem"))));
        assertEquals("INVALID_ARGUMENT", e.code());
        assertEquals("cert_file and key_file go together", e.getMessage());
        e = assertThrows(AuthgateException.class,
                () -> Acl.fromStore(url, AclStoreOptions.none().withCaFile(Path.of("/nonexistent/ca.pem"))));
        assertEquals("IO", e.code());
        assertTrue(e.getMessage().startsWith("cannot read ca_file /nonexistent/ca.pem: "), e.getMessage());
    }
}
