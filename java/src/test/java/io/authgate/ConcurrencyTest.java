package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Many threads checking while others change, delete and re-create users. */
class ConcurrencyTest {
    private static final int CHECKERS = 8;
    private static final long CHECKS_PER_THREAD = 50_000;

    @Test
    void checksStayConsistentWhileUsersChange() throws Exception {
        try (Acl acl = new Acl()) {
            acl.setuser("alice", "on", ">pw", "~a:*", "+get");
            acl.setuser("bob", "on", ">pw", "~*", "+@all");
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong allowed = new AtomicLong();
            AtomicLong denied = new AtomicLong();
            AtomicLong missing = new AtomicLong();
            CountDownLatch ready = new CountDownLatch(CHECKERS + 1);

            Thread writer = new Thread(() -> {
                ready.countDown();
                try {
                    int i = 0;
                    while (!stop.get()) {
                        acl.setuser("alice", "resetkeys", (i % 2 == 0) ? "~b:*" : "~a:*");
                        if (i % 3 == 0) {
                            acl.deluser("bob");
                        } else {
                            acl.setuser("bob", "on", ">pw", "~*", "+@all");
                        }
                        acl.setuser("temp" + (i % 50), "on", "nopass", "+get", "~*");
                        if (i % 7 == 0) {
                            acl.deluser("temp" + (i % 50));
                        }
                        i++;
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });

            List<Thread> checkers = new ArrayList<>();
            for (int t = 0; t < CHECKERS; t++) {
                int id = t;
                checkers.add(new Thread(() -> {
                    ready.countDown();
                    try {
                        for (long n = 0; n < CHECKS_PER_THREAD && failure.get() == null; n++) {
                            try {
                                if (n % 2 == 0) {
                                    acl.check("alice", "GET", (id % 2 == 0) ? "a:1" : "b:1");
                                } else {
                                    acl.check("bob", "SET", "k" + n, "v");
                                }
                                allowed.incrementAndGet();
                            } catch (PermissionDeniedException e) {
                                assertEquals("key", e.reason());
                                denied.incrementAndGet();
                            } catch (AclException e) {
                                assertEquals("ERR User 'bob' not found", e.getMessage());
                                missing.incrementAndGet();
                            }
                            if (n % 1000 == 0) {
                                acl.authenticate("alice", "pw");
                                acl.getuser("alice");
                                acl.list();
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            writer.start();
            checkers.forEach(Thread::start);
            for (Thread c : checkers) {
                c.join(120_000);
            }
            stop.set(true);
            writer.join(30_000);
            assertNull(failure.get(), () -> "unexpected: " + failure.get());
            assertEquals(CHECKERS * CHECKS_PER_THREAD, allowed.get() + denied.get() + missing.get());
            assertTrue(allowed.get() > 0);
            // The engine is intact afterwards.
            acl.setuser("alice", "resetkeys", "~a:*");
            acl.check("alice", "GET", "a:1");
            assertTrue(acl.authenticate("alice", "pw"));
        }
    }

    @Test
    void parallelAuthenticateAndCheckOnSharedEngine() throws Exception {
        try (Acl acl = new Acl()) {
            for (int u = 0; u < 32; u++) {
                acl.setuser("user" + u, "on", ">pw" + u, "~u" + u + ":*", "+get");
            }
            List<Thread> threads = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                threads.add(new Thread(() -> {
                    try {
                        for (int i = 0; i < 20_000; i++) {
                            int u = (i + id) % 32;
                            if (!acl.authenticate("user" + u, "pw" + u) || acl.authenticate("user" + u, "x")) {
                                throw new AssertionError("authenticate user" + u);
                            }
                            acl.check("user" + u, "GET", "u" + u + ":k");
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join(120_000);
            }
            assertNull(failure.get(), () -> "unexpected: " + failure.get());
        }
    }
}
