package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** close(), use after close, the Cleaner safety net, and closing while other threads call. */
class LifecycleTest {
    @Test
    void everyMethodThrowsIllegalStateAfterClose() {
        Acl acl = new Acl();
        acl.setuser("alice", "on", "nopass");
        acl.close();
        assertTrue(acl.isClosed());
        acl.close(); // idempotent
        List<Executable> calls = List.of(
                () -> acl.setuser("bob"),
                () -> acl.deluser("alice"),
                () -> acl.getuser("alice"),
                () -> acl.users(),
                () -> acl.list(),
                () -> acl.cat(),
                () -> acl.cat("read"),
                () -> acl.authenticate("alice", "x"),
                () -> acl.authenticate(new byte[] {'a'}, new byte[] {'b'}),
                () -> acl.check("alice", "GET", "k"),
                () -> acl.check("alice", new byte[][] {{'G', 'E', 'T'}, {'k'}}),
                () -> acl.dryrun("alice", "GET", "k"),
                () -> acl.log(),
                () -> acl.logReset(),
                () -> acl.load(Path.of("x.acl")),
                () -> acl.save(Path.of("x.acl")),
                () -> acl.checkAclfile(Path.of("x.acl")),
                () -> acl.setRequirepass("pw"),
                () -> acl.options(),
                () -> acl.setOptions(AclOptions.defaults()),
                () -> acl.pubsubDefault(),
                () -> acl.setPubsubDefault("allchannels"),
                () -> acl.logMaxLen(),
                () -> acl.setLogMaxLen(3),
                () -> Server.start(acl, "127.0.0.1", 0),
                () -> Server.builder(acl).build());
        for (Executable call : calls) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call);
            assertEquals("Acl is closed", e.getMessage());
        }
    }

    @Test
    void everyServerMethodThrowsIllegalStateAfterClose() {
        try (Acl acl = new Acl()) {
            Server server = Server.builder(acl).build();
            server.close();
            assertTrue(server.isClosed());
            server.close(); // idempotent
            List<Executable> calls = List.of(
                    server::start, server::stop, server::restart, server::running,
                    server::port, server::host, server::maxclients);
            for (Executable call : calls) {
                IllegalStateException e = assertThrows(IllegalStateException.class, call);
                assertEquals("Server is closed", e.getMessage());
            }
        }
    }

    @Test
    void tryWithResources() {
        Acl kept;
        try (Acl acl = new Acl()) {
            kept = acl;
            assertFalse(acl.isClosed());
        }
        assertTrue(kept.isClosed());
    }

    @Test
    void cleanerFreesForgottenEngines() throws Exception {
        ReferenceQueue<Acl> collected = new ReferenceQueue<>();
        WeakReference<Acl> ref = new WeakReference<>(newForgotten(), collected);
        for (int i = 0; i < 20_000; i++) {
            Acl acl = new Acl();
            acl.setuser("u" + (i % 7), "on", ">pw", "~*", "+@all");
        }
        // Wait for the collector itself to report the engine unreachable (bounded).
        Reference<? extends Acl> done = null;
        for (int i = 0; i < 50 && done == null; i++) {
            System.gc();
            done = collected.remove(100);
        }
        assertEquals(ref, done);
        assertEquals(null, ref.get());
        // The JVM is still alive and the library still works.
        try (Acl acl = new Acl()) {
            acl.check("default", "GET", "k");
        }
    }

    private static Acl newForgotten() {
        Acl acl = new Acl();
        acl.setuser("x");
        return acl;
    }

    @Test
    void closeWhileOtherThreadsCheck() throws Exception {
        for (int round = 0; round < 20; round++) {
            Acl acl = new Acl();
            acl.setuser("alice", "on", "nopass", "~k*", "+get");
            int threads = 4;
            CountDownLatch started = new CountDownLatch(threads);
            AtomicInteger ok = new AtomicInteger();
            AtomicReference<Throwable> unexpected = new AtomicReference<>();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread w = new Thread(() -> {
                    started.countDown();
                    try {
                        while (true) {
                            acl.check("alice", "GET", "k1");
                            ok.incrementAndGet();
                        }
                    } catch (IllegalStateException closed) {
                        // expected once closed
                    } catch (Throwable e) {
                        unexpected.set(e);
                    }
                });
                w.start();
                workers.add(w);
            }
            started.await();
            // Close while checks are certainly in flight: after the workers have done some.
            while (ok.get() < 100 && unexpected.get() == null) {
                Thread.onSpinWait();
            }
            acl.close();
            for (Thread w : workers) {
                w.join(10_000);
                assertFalse(w.isAlive());
            }
            assertEquals(null, unexpected.get());
            assertTrue(ok.get() > 0);
        }
    }
}
