package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * One engine shared by threads, and by a server's connections, while a writer flips the user
 * "flip" between two whole rule sets whose commands, keys and channels are linked. Every
 * observation must be A or B whole, and never older than the writer's last acknowledged change.
 *
 * <p>How a tear shows: in one call, GET a:1 / PUBLISH ca / SET b:1 / SPUBLISH cb are allowed by
 * one side and denied as a command by the other, so a key or channel denial is a mix (rules
 * applied one by one would show +get with ~b:*, denying GET a:1 for its key) and a denied PING
 * the bare reset; getuser() and list() are one snapshot each and must equal A's or B's whole.
 * Across calls, each observation is bracketed by the writer's progress ({@link Timeline}) and the
 * sides seen must be states the writer published in that window, in order: a stale read (a
 * change acknowledged but not yet visible) or a step back fails it.
 */
class ConcurrencyTest {
    private static final String[] A = {"reset", "on", "nopass", "~a:*", "&ca", "+get", "+publish", "+ping"};
    private static final String[] B = {"reset", "on", "nopass", "~b:*", "&cb", "+set", "+spublish", "+ping"};
    private static final String[][] PROBES = {
        {"GET", "a:1"}, {"PUBLISH", "ca", "m"}, {"SET", "b:1", "v"}, {"SPUBLISH", "cb", "m"}, {"PING"},
    };
    private static final Protocol.Command[] WIRE = {
        Protocol.Command.GET, Protocol.Command.PUBLISH, Protocol.Command.SET, Protocol.Command.SPUBLISH,
        Protocol.Command.PING,
    };
    private static final int A_SIDE = 0;

    private static String[] rules(int side) {
        return side == A_SIDE ? A : B;
    }

    /**
     * The side (0 = A, 1 = B) of one probe's outcome ({@code denial} null when allowed); null for
     * PING, which both allow. An outcome neither side gives is a tear within one call.
     */
    private static Integer sideOf(int probe, String denial) {
        if (probe == 4) {
            if (denial != null) {
                throw new AssertionError("torn: PING denied (" + denial + "): the bare reset");
            }
            return null;
        }
        int mine = probe < 2 ? 0 : 1;
        if (denial == null) {
            return mine;
        }
        if (!denial.equals("command")) {
            throw new AssertionError("torn: " + String.join(" ", PROBES[probe]) + " denied for its " + denial
                    + ", which neither A nor B does");
        }
        return 1 - mine;
    }

    /** The writer's progress: 2k once step k was acknowledged, 2k-1 while it runs. */
    private static final class Timeline {
        final AtomicLong seq = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong quiet = new AtomicLong();
        volatile boolean done;

        /** Step 0 (the start) and even steps set A, odd steps B. */
        static int state(long step) {
            return (int) (step % 2);
        }

        /**
         * {@code seen}, observed between reading {@code before} and {@code after}, must be states
         * the writer published in that window, in order.
         */
        static void explain(long before, long after, List<Integer> seen) {
            long step = before / 2;
            long newest = (after + 1) / 2;
            for (int side : seen) {
                while (state(step) != side) {
                    if (++step > newest) {
                        throw new AssertionError("stale or torn: saw " + seen + " between progress " + before
                                + " and " + after);
                    }
                }
            }
        }

        /** Flips {@code steps} times; {@code ownCheck} then asserts the writer's next calls see it. */
        void write(int steps, IntConsumer flip, IntConsumer ownCheck) {
            try {
                for (int k = 1; k <= steps && failure.get() == null; k++) {
                    seq.set(2L * k - 1);
                    flip.accept(state(k));
                    seq.set(2L * k);
                    ownCheck.accept(state(k));
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                done = true;
            }
        }

        /** Observes until the writer is done; returns how many observations were made. */
        long read(Supplier<List<Integer>> observe) {
            long n = 0;
            try {
                while (!done) {
                    long before = seq.get();
                    List<Integer> seen = observe.get();
                    long after = seq.get();
                    explain(before, after, seen);
                    n++;
                    if (before == after && before % 2 == 0) {
                        quiet.incrementAndGet();
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
            return n;
        }

        /** Runs the readers while the writer flips; fails on anything a reader or the writer saw. */
        long[] run(int steps, IntConsumer flip, IntConsumer ownCheck, List<Supplier<List<Integer>>> observers)
                throws InterruptedException {
            long[] counts = new long[observers.size()];
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < observers.size(); i++) {
                int id = i;
                threads.add(new Thread(() -> counts[id] = read(observers.get(id))));
            }
            threads.forEach(Thread::start);
            write(steps, flip, ownCheck);
            for (Thread t : threads) {
                t.join(60_000);
            }
            assertNull(failure.get(), () -> "unexpected: " + failure.get());
            assertTrue(Arrays.stream(counts).allMatch(c -> c > 0), Arrays.toString(counts));
            assertTrue(quiet.get() > 0, "no observation fell between two flips");
            return counts;
        }
    }

    /** The probes as separate check() calls, in order. */
    private static List<Integer> probeEngine(Acl acl) {
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < PROBES.length; i++) {
            String denial = null;
            try {
                acl.check("flip", PROBES[i]);
            } catch (PermissionDeniedException e) {
                denial = e.reason();
            }
            Integer side = sideOf(i, denial);
            if (side != null) {
                seen.add(side);
            }
        }
        return seen;
    }

    @Test
    void engineReadersSeeWholeRuleSetsAndNeverAStaleOne() throws Exception {
        long started = System.nanoTime();
        try (Acl acl = new Acl()) {
            acl.setuser("flip", A);
            List<AclUser> users = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            for (int side = 0; side < 2; side++) {
                try (Acl scratch = new Acl()) {
                    scratch.setuser("flip", rules(side));
                    users.add(scratch.getuser("flip"));
                    lines.add(scratch.list().get(1));
                }
            }
            assertEquals("user flip on nopass sanitize-payload ~a:* resetchannels &ca -@all +get +ping +publish",
                    lines.get(0));
            Supplier<List<Integer>> snapshot = () -> {
                // One getuser() and one list(): each a single snapshot of the whole user.
                AclUser user = acl.getuser("flip");
                String line = acl.list().get(1);
                if (!users.contains(user) || !lines.contains(line)) {
                    throw new AssertionError("torn: " + user + " / " + line + " is neither A nor B");
                }
                return List.of(users.indexOf(user), lines.indexOf(line));
            };
            Supplier<List<Integer>> probes = () -> probeEngine(acl);
            Timeline timeline = new Timeline();
            long[] counts = timeline.run(1_000, side -> acl.setuser("flip", rules(side)), side -> {
                // No stale read: the thread that made the change sees all of it at once.
                assertEquals(List.of(side, side, side, side), probeEngine(acl));
                assertEquals(List.of(side, side), snapshot.get());
            }, List.of(snapshot, probes, probes, probes));
            System.out.printf("engine: 1000 flips, observations %s, %d ms%n", Arrays.toString(counts),
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    private static final String KEY_DENIED =
            "NOPERM this user has no permissions to access one of the keys used as arguments";
    private static final String CHANNEL_DENIED =
            "NOPERM this user has no permissions to access one of the channels used as arguments";
    /** The allowed replies: GET finds nothing, nobody listens, SET and PING answer a status. */
    private static final Object[] ALLOWED = {null, 0L, "OK", 0L, "PONG"};

    private static Jedis connect(Server server, String user, String password) {
        return new Jedis(new HostAndPort("127.0.0.1", server.port()), DefaultJedisClientConfig.builder()
                .user(user).password(password).clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .socketTimeoutMillis(30_000).build());
    }

    /** The five probes pipelined on one connection: five commands, each one server call. */
    private static List<Integer> probeServer(Jedis c) {
        Pipeline p = c.pipelined();
        for (int i = 0; i < PROBES.length; i++) {
            p.sendCommand(WIRE[i], Arrays.copyOfRange(PROBES[i], 1, PROBES[i].length));
        }
        List<Object> replies = p.syncAndReturnAll();
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < PROBES.length; i++) {
            Object reply = replies.get(i);
            String denial = null;
            if (reply instanceof JedisDataException e) {
                String command = "NOPERM this user has no permissions to run the '" + PROBES[i][0].toLowerCase()
                        + "' command";
                denial = e.getMessage().equals(command) ? "command"
                        : e.getMessage().equals(KEY_DENIED) ? "key"
                        : e.getMessage().equals(CHANNEL_DENIED) ? "channel" : null;
                if (denial == null) {
                    throw new AssertionError(PROBES[i][0] + ": unexpected error " + e.getMessage());
                }
            } else {
                Object value = reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : reply;
                if (!java.util.Objects.equals(value, ALLOWED[i])) {
                    throw new AssertionError(PROBES[i][0] + ": unexpected reply " + value);
                }
            }
            Integer side = sideOf(i, denial);
            if (side != null) {
                seen.add(side);
            }
        }
        return seen;
    }

    /**
     * Connections authenticated as flip probe while the writer flips it, alternately with ACL
     * SETUSER on an admin connection and with setuser() from Java.
     */
    @Test
    void serverConnectionsSeeWholeRuleSetsAndNeverAStaleOne() throws Exception {
        long started = System.nanoTime();
        try (Acl acl = new Acl(); Server server = Server.start(acl, "127.0.0.1", 0)) {
            acl.setuser("flip", A);
            acl.setuser("admin", "on", ">adminpw", "~*", "&*", "+@all");
            List<Jedis> readers = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                readers.add(connect(server, "flip", "x"));
            }
            try (Jedis admin = connect(server, "admin", "adminpw"); Jedis own = connect(server, "flip", "x")) {
                List<Supplier<List<Integer>>> observers = new ArrayList<>();
                readers.forEach(c -> observers.add(() -> probeServer(c)));
                long[] counts = new Timeline().run(400, side -> {
                    if (side == A_SIDE) {
                        acl.setuser("flip", rules(side));
                    } else {
                        assertEquals("OK", admin.aclSetUser("flip", rules(side)));
                    }
                }, side -> {
                    // Once acknowledged, the next command of any connection is checked against it.
                    assertEquals(List.of(side, side, side, side), probeServer(own));
                }, observers);
                System.out.printf("server: 400 flips, observations %s, %d ms%n", Arrays.toString(counts),
                        (System.nanoTime() - started) / 1_000_000);
            } finally {
                readers.forEach(Jedis::close);
            }
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
                        for (int i = 0; i < 5_000; i++) {
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
