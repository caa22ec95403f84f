package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CredentialStore on a real etcd-server (Debian's, as `make test-java` installs it): Milvus'
 * key layout under a chosen root path, two stores sharing the etcd seeing each other's changes
 * through the watch (waited for with a deadline on the observed state), and etcd options
 * reaching core.
 */
class CredentialStoreEtcdTest {
    @TempDir
    static Path data;
    static Process etcd;
    static String endpoint;

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @BeforeAll
    static void startEtcd() throws Exception {
        int client = freePort();
        int peer = freePort();
        endpoint = "127.0.0.1:" + client;
        etcd = new ProcessBuilder("etcd", "--data-dir", data.resolve("etcd").toString(), "--name", "authgate-java",
                "--listen-client-urls", "http://" + endpoint, "--advertise-client-urls", "http://" + endpoint,
                "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                "--initial-cluster", "authgate-java=http://127.0.0.1:" + peer)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        awaitTrue(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", client), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        }, 60_000, "etcd listening");
    }

    @AfterAll
    static void stopEtcd() throws InterruptedException {
        if (etcd != null) {
            etcd.destroy();
            if (!etcd.waitFor(10, TimeUnit.SECONDS)) {
                etcd.destroyForcibly().waitFor();
            }
        }
    }

    /** Polls {@code condition} until it holds or {@code millis} pass. */
    static void awaitTrue(BooleanSupplier condition, long millis, String what) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " not seen within " + millis + " ms");
            }
            Thread.sleep(10);
        }
    }

    static CredentialStoreOptions options(String rootPath) {
        return new CredentialStoreOptions().bcryptCost(4).rootPath(rootPath);
    }

    @Test
    void twoStoresShareTheEtcd() throws InterruptedException {
        try (CredentialStore a = CredentialStore.etcd(endpoint, options("java-share"));
                CredentialStore b = CredentialStore.etcd(endpoint, options("java-share"))) {
            assertTrue(a.toString().contains("java-share/meta/root-coord/credential/users/"), a.toString());
            a.createUser("alice", "secret1");
            // b never asked etcd for alice: its watch brings the new user within a second.
            awaitTrue(() -> b.listUsers().contains("alice"), 1_000, "alice created by a, in b");
            assertTrue(b.verify("alice", "secret1"));
            b.updatePassword("alice", "secret1", "secret2");
            awaitTrue(() -> a.verify("alice", "secret2"), 1_000, "b's password change, in a");
            assertFalse(a.verify("alice", "secret1"));
            CredentialException e = assertThrows(CredentialException.class, () -> b.createUser("alice", "secret3"));
            assertEquals("user already exists: alice", e.getMessage());
            a.deleteUser("alice");
            awaitTrue(() -> !b.listUsers().contains("alice"), 1_000, "alice deleted by a, in b");
            assertEquals(List.of("root"), b.listUsers());
        }
    }

    @Test
    void rootPathsAreSeparateAndRootIsBootstrappedOnce() {
        try (CredentialStore x = CredentialStore.etcd(endpoint, options("java-x").defaultRootPassword("first-pw"))) {
            x.createUser("bob", "secret1");
        }
        try (CredentialStore x = CredentialStore.etcd(endpoint, options("java-x").defaultRootPassword("other-pw"));
                CredentialStore y = CredentialStore.etcd(endpoint, options("java-y").metaSubPath("m2"))) {
            assertTrue(x.verify("root", "first-pw"));
            assertEquals(List.of("bob", "root"), x.listUsers());
            assertEquals(List.of("root"), y.listUsers());
            assertTrue(y.verify("root", "Milvus"));
        }
    }

    @Test
    void etcdOptionsReachCore() {
        CredentialException e = assertThrows(CredentialException.class,
                () -> CredentialStore.etcd(endpoint, options("java-o").etcdCert(data.resolve("missing.pem"))));
        assertEquals("etcd_cert and etcd_key go together: invalid parameter", e.getMessage());
        e = assertThrows(CredentialException.class, () -> CredentialStore.etcd(endpoint,
                options("java-o").etcdCa(data.resolve("missing-ca.pem"))));
        assertEquals(65535L, e.milvusCode().orElseThrow());
        assertTrue(e.getMessage().startsWith("credential storage failed: cannot read etcd_ca "), e.getMessage());
        // etcd has no auth enabled here: a user and password are sent and etcd refuses them.
        e = assertThrows(CredentialException.class,
                () -> CredentialStore.etcd(endpoint, options("java-o").etcdUser("nobody").etcdPassword("nothing")));
        assertEquals(65535L, e.milvusCode().orElseThrow());
    }
}
