package io.authgate.bench;

import io.authgate.Acl;
import io.authgate.AclDenial;
import io.authgate.NativeLib;
import io.authgate.PermissionDeniedException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.LongUnaryOperator;
import org.casbin.jcasbin.main.Enforcer;
import org.casbin.jcasbin.model.Model;

/**
 * Per-call cost of {@code Acl.check} and its non-throwing forms {@code Acl.allowed} and
 * {@code Acl.denial}, allowed and denied, against jcasbin's {@code Enforcer.enforce} on an
 * equivalent model, in one JVM run. Not a test (surefire does not pick it up); run with
 * {@code mvn -B -ntp -Dauthgate.native.skip=true test-compile exec:exec@bench}.
 *
 * <p>Method: each case runs 3 s of warm-up, then {@value #ROUNDS} measured rounds of
 * {@value #BATCH} calls each, the cases interleaved round by round so that drift (frequency
 * scaling, other load) affects them alike; the result is the median round, with min and max,
 * in CPU time of the measuring thread (steady on a busy machine).
 * Every result feeds a sink so the JIT cannot drop the calls.
 */
public final class CheckBench {
    static final int ROUNDS = 15;
    static final int BATCH = 1_000_000;
    static final long WARMUP_NS = 3_000_000_000L;

    static volatile long sink;

    private CheckBench() {
    }

    /** The equivalent casbin model: user, key glob, command. */
    static final String MODEL = String.join("\n",
            "[request_definition]",
            "r = sub, obj, act",
            "[policy_definition]",
            "p = sub, obj, act",
            "[policy_effect]",
            "e = some(where (p.eft == allow))",
            "[matchers]",
            "m = r.sub == p.sub && keyMatch(r.obj, p.obj) && r.act == p.act");

    record Case(String name, LongUnaryOperator body) {
    }

    record Result(String name, double median, double min, double max) {
    }

    /** CPU time of the measuring thread: unlike wall time it does not grow while other programs hold the CPU. */
    static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    static double round(LongUnaryOperator body, int n) {
        long t0 = CPU.getCurrentThreadCpuTime();
        long acc = body.applyAsLong(n);
        long t1 = CPU.getCurrentThreadCpuTime();
        sink += acc;
        return (t1 - t0) / (double) n;
    }

    /** Calls per round: fewer for the slow cases, so each round takes a similar time. */
    static int batch(Case c) {
        return c.name().startsWith("jcasbin") ? BATCH / 20 : c.name().contains("denied") ? BATCH / 4 : BATCH;
    }

    static double median(List<Result> results, String name) {
        return results.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow().median();
    }

    /**
     * Runs the benchmark and prints one line per case.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        try (Acl acl = new Acl()) {
            acl.setuser("alice", "on", ">secret", "~cache:*", "+get", "+set");
            for (int i = 0; i < 100; i++) {
                acl.setuser("user" + i, "on", ">pw" + i, "~u" + i + ":*", "+get", "+set");
            }
            Model model = Model.newModelFromString(MODEL);
            Enforcer casbin = new Enforcer(model);
            casbin.addPolicy("alice", "cache:*", "get");
            casbin.addPolicy("alice", "cache:*", "set");
            for (int i = 0; i < 100; i++) {
                casbin.addPolicy("user" + i, "u" + i + ":*", "get");
                casbin.addPolicy("user" + i, "u" + i + ":*", "set");
            }
            // Same verdicts before timing anything.
            acl.check("alice", "GET", "cache:1");
            if (!casbin.enforce("alice", "cache:1", "get") || casbin.enforce("alice", "other", "get")) {
                throw new AssertionError("casbin model is not equivalent");
            }
            byte[] get = "GET".getBytes(StandardCharsets.US_ASCII);
            byte[] key = "cache:1".getBytes(StandardCharsets.US_ASCII);

            List<Case> cases = List.of(
                    new Case("boundary only (NativeLib.boundary)", n -> {
                        long acc = 0;
                        for (long i = 0; i < n; i++) {
                            acc += NativeLib.boundary("alice", "GET", "cache:1");
                        }
                        return acc;
                    }),
                    new Case("authgate Acl.check(String...) allowed", n -> {
                        for (long i = 0; i < n; i++) {
                            acl.check("alice", "GET", "cache:1");
                        }
                        return n;
                    }),
                    new Case("authgate Acl.check(byte[]...) allowed", n -> {
                        for (long i = 0; i < n; i++) {
                            acl.check("alice", get, key);
                        }
                        return n;
                    }),
                    new Case("authgate Acl.check denied (exception)", n -> {
                        long denied = 0;
                        for (long i = 0; i < n; i++) {
                            try {
                                acl.check("alice", "GET", "other");
                            } catch (PermissionDeniedException e) {
                                denied++;
                            }
                        }
                        return denied;
                    }),
                    new Case("authgate Acl.allowed allowed", n -> {
                        long ok = 0;
                        for (long i = 0; i < n; i++) {
                            if (acl.allowed("alice", "GET", "cache:1")) {
                                ok++;
                            }
                        }
                        return ok;
                    }),
                    new Case("authgate Acl.allowed denied (false)", n -> {
                        long ok = 0;
                        for (long i = 0; i < n; i++) {
                            if (acl.allowed("alice", "GET", "other")) {
                                ok++;
                            }
                        }
                        return ok + n;
                    }),
                    new Case("authgate Acl.denial allowed (null)", n -> {
                        long denied = 0;
                        for (long i = 0; i < n; i++) {
                            if (acl.denial("alice", "GET", "cache:1") != null) {
                                denied++;
                            }
                        }
                        return denied + n;
                    }),
                    new Case("authgate Acl.denial denied (AclDenial)", n -> {
                        long len = 0;
                        for (long i = 0; i < n; i++) {
                            AclDenial d = acl.denial("alice", "GET", "other");
                            len += d.reason().length();
                        }
                        return len;
                    }),
                    new Case("jcasbin Enforcer.enforce allowed", n -> {
                        long ok = 0;
                        for (long i = 0; i < n; i++) {
                            if (casbin.enforce("alice", "cache:1", "get")) {
                                ok++;
                            }
                        }
                        return ok;
                    }),
                    new Case("jcasbin Enforcer.enforce denied", n -> {
                        long ok = 0;
                        for (long i = 0; i < n; i++) {
                            if (!casbin.enforce("alice", "other", "get")) {
                                ok++;
                            }
                        }
                        return ok;
                    }));

            for (Case c : cases) {
                long end = System.nanoTime() + WARMUP_NS;
                while (System.nanoTime() < end) {
                    round(c.body(), batch(c) / 10);
                }
            }
            List<List<Double>> samples = new ArrayList<>();
            cases.forEach(c -> samples.add(new ArrayList<>()));
            for (int r = 0; r < ROUNDS; r++) {
                for (int i = 0; i < cases.size(); i++) {
                    samples.get(i).add(round(cases.get(i).body(), batch(cases.get(i))));
                }
            }
            List<Result> results = new ArrayList<>();
            for (int i = 0; i < cases.size(); i++) {
                List<Double> s = samples.get(i);
                Collections.sort(s);
                results.add(new Result(cases.get(i).name(), s.get(s.size() / 2), s.get(0), s.get(s.size() - 1)));
            }
            System.out.printf(Locale.ROOT, "java %s (%s), native library: %s (java.library.path=%s)%n",
                    System.getProperty("java.version"), System.getProperty("java.vm.name"),
                    NativeLib.loadedFrom(), System.getProperty("java.library.path"));
            System.out.printf(Locale.ROOT, "%d rounds, median CPU ns/call (min..max), load average %.2f%n", ROUNDS,
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            for (Result r : results) {
                System.out.printf(Locale.ROOT, "  %-42s %10.1f ns  (%.1f..%.1f)%n", r.name(), r.median(), r.min(), r.max());
            }
            double casbinAllowed = median(results, "jcasbin Enforcer.enforce allowed");
            double casbinDenied = median(results, "jcasbin Enforcer.enforce denied");
            String[][] forms = {
                {"check", "authgate Acl.check(String...) allowed", "authgate Acl.check denied (exception)"},
                {"allowed", "authgate Acl.allowed allowed", "authgate Acl.allowed denied (false)"},
                {"denial", "authgate Acl.denial allowed (null)", "authgate Acl.denial denied (AclDenial)"},
            };
            for (String[] f : forms) {
                double a = median(results, f[1]);
                double d = median(results, f[2]);
                System.out.printf(Locale.ROOT, "%-8s jcasbin/authgate: allowed %.1fx, denied %.1fx; denied/allowed %.2f%n",
                        f[0], casbinAllowed / a, casbinDenied / d, d / a);
            }
            System.out.println("sink " + (sink != 0));
        }
    }
}
