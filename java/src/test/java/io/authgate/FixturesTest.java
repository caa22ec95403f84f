package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The shared cross-language fixtures (tests/fixtures/acl_cases.json, recorded from
 * redis-server 7.0.15), one dynamic test per case.
 */
class FixturesTest {
    static final Path FIXTURES = Path.of("..", "tests", "fixtures", "acl_cases.json");

    /**
     * The comparison form of an ACL LIST line or a GETUSER {@code commands} string, the rule
     * written in acl_cases.json's "about" and implemented identically by every language's
     * fixture test: exact, except that a selector's single-command tokens ({@code +cmd},
     * {@code -cmd}, {@code +cmd|sub}, {@code +cmd|firstarg}) after its category tokens are
     * sorted, because Redis emits them in a per-process hash order
     * (tests/differential/normalize.py {@code norm_command_tokens},
     * tests/differential/README.md). A string not in the shape Redis produces (a single before a
     * category, ...) becomes {@code !} + the string itself, which equals no in-shape form, so
     * {@code +get -@all} never equals {@code -@all +get}.
     */
    static String canonical(String line) {
        List<String> selectors = new ArrayList<>();
        String[] segs = line.split(" \\(", -1);
        for (int i = 0; i < segs.length; i++) {
            String seg = segs[i];
            if (i > 0 && seg.endsWith(")")) {
                seg = seg.substring(0, seg.length() - 1);
            }
            String c = canonicalSelector(seg);
            if (c == null) {
                return "!" + line;
            }
            selectors.add(c);
        }
        return String.join(" | ", selectors);
    }

    /** A {@code +...} / {@code -...} rule: a category ({@code +@x}) or a single. */
    private static boolean isCommandToken(String t) {
        return t.startsWith("+") || t.startsWith("-");
    }

    /** Lowercase A-Z only, as Redis' command names compare. */
    private static String asciiLower(String t) {
        StringBuilder b = new StringBuilder(t.length());
        for (char ch : t.toCharArray()) {
            b.append(ch >= 'A' && ch <= 'Z' ? (char) (ch + ('a' - 'A')) : ch);
        }
        return b.toString();
    }

    /** One selector's tokens in order with its singles sorted, or null if not in Redis' shape. */
    private static String canonicalSelector(String seg) {
        List<String> tokens = new ArrayList<>();
        for (String t : seg.split(" ", -1)) {
            int last = tokens.size() - 1;
            // A first argument containing a space (`+select|a b`) continues its token.
            boolean continues = t.isEmpty() || "~%&+-(".indexOf(t.charAt(0)) < 0;
            if (last >= 0 && isCommandToken(tokens.get(last)) && continues) {
                tokens.set(last, tokens.get(last) + " " + t);
            } else {
                tokens.add(t);
            }
        }
        List<String> fixed = new ArrayList<>();
        List<String> singles = new ArrayList<>();
        boolean seenCommand = false;
        for (String t : tokens) {
            if (!isCommandToken(t)) {
                if (seenCommand) {
                    return null;
                }
                fixed.add(t);
                continue;
            }
            seenCommand = true;
            if (t.startsWith("@", 1)) {
                if (!singles.isEmpty()) {
                    return null;
                }
                fixed.add(t);
                continue;
            }
            String body = asciiLower(t.substring(1));
            String ownSub = body + "|";
            boolean afterOwnSub = singles.stream().anyMatch(s -> asciiLower(s.substring(1)).startsWith(ownSub));
            if (!body.contains("|") && afterOwnSub) {
                return null;
            }
            singles.add(t);
        }
        singles.sort((a, b) -> Arrays.compareUnsigned(
                a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
        fixed.addAll(singles);
        return String.join(" ", fixed);
    }

    private static String[] strings(JsonElement v) {
        JsonArray a = v.getAsJsonArray();
        String[] out = new String[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsString();
        }
        return out;
    }

    private static JsonArray array(List<String> items) {
        JsonArray a = new JsonArray();
        items.forEach(a::add);
        return a;
    }

    private static JsonElement userJson(AclUser u) {
        JsonObject o = new JsonObject();
        o.add("flags", array(u.flags()));
        o.add("passwords", array(u.passwords()));
        o.addProperty("commands", canonical(u.commands()));
        o.addProperty("keys", u.keys());
        o.addProperty("channels", u.channels());
        JsonArray sels = new JsonArray();
        for (AclSelector s : u.selectors()) {
            JsonObject so = new JsonObject();
            so.addProperty("commands", canonical(s.commands()));
            so.addProperty("keys", s.keys());
            so.addProperty("channels", s.channels());
            sels.add(so);
        }
        o.add("selectors", sels);
        return o;
    }

    private static JsonElement normalizeExpected(String op, JsonElement v) {
        if (op.equals("list") && v.isJsonArray()) {
            JsonArray out = new JsonArray();
            v.getAsJsonArray().forEach(l -> out.add(canonical(l.getAsString())));
            return out;
        }
        if (op.equals("getuser") && v.isJsonObject()) {
            JsonObject o = v.getAsJsonObject().deepCopy();
            o.addProperty("commands", canonical(o.get("commands").getAsString()));
            for (JsonElement s : o.getAsJsonArray("selectors")) {
                JsonObject so = s.getAsJsonObject();
                so.addProperty("commands", canonical(so.get("commands").getAsString()));
            }
            return o;
        }
        return v;
    }

    private static JsonElement run(Acl acl, String op, JsonElement args) {
        try {
            switch (op) {
                case "setuser":
                    acl.setuser(args.getAsJsonArray().get(0).getAsString(),
                            strings(args.getAsJsonArray().get(1)));
                    return new JsonPrimitive("OK");
                case "deluser":
                    return new JsonPrimitive(acl.deluser(strings(args)));
                case "getuser": {
                    AclUser u = acl.getuser(args.getAsString());
                    return u == null ? JsonNull.INSTANCE : userJson(u);
                }
                case "list": {
                    List<String> lines = new ArrayList<>();
                    acl.list().forEach(l -> lines.add(canonical(l)));
                    return array(lines);
                }
                case "users":
                    return array(acl.users());
                case "auth":
                    return new JsonPrimitive(acl.authenticate(args.getAsJsonArray().get(0).getAsString(),
                            args.getAsJsonArray().get(1).getAsString()));
                case "dryrun":
                    return new JsonPrimitive(acl.dryrun(args.getAsJsonArray().get(0).getAsString(),
                            strings(args.getAsJsonArray().get(1))));
                case "check":
                    acl.check(args.getAsJsonArray().get(0).getAsString(), strings(args.getAsJsonArray().get(1)));
                    return new JsonPrimitive("OK");
                case "allowed":
                    return new JsonPrimitive(acl.allowed(args.getAsJsonArray().get(0).getAsString(),
                            strings(args.getAsJsonArray().get(1))) ? "OK" : "denied");
                case "denial": {
                    AclDenial d = acl.denial(args.getAsJsonArray().get(0).getAsString(),
                            strings(args.getAsJsonArray().get(1)));
                    return new JsonPrimitive(d == null ? "OK" : d.message());
                }
                case "cat": {
                    if (args.isJsonNull()) {
                        return array(acl.cat());
                    }
                    List<String> names = new ArrayList<>(acl.cat(args.getAsString()));
                    names.sort(null);
                    return array(names);
                }
                default:
                    throw new AssertionError("unknown fixture op " + op);
            }
        } catch (AuthgateException e) {
            return new JsonPrimitive(e.getMessage());
        }
    }

    @TestFactory
    Stream<DynamicTest> sharedFixturesMatchRedis() throws IOException {
        JsonObject doc = JsonParser.parseString(Files.readString(FIXTURES)).getAsJsonObject();
        JsonArray cases = doc.getAsJsonArray("cases");
        int steps = 0;
        for (JsonElement c : cases) {
            steps += c.getAsJsonObject().getAsJsonArray("steps").size();
        }
        assertTrue(steps >= 80, "fixtures went missing: " + steps + " steps");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonElement c : cases) {
            JsonObject kase = c.getAsJsonObject();
            String name = kase.get("name").getAsString();
            tests.add(DynamicTest.dynamicTest(name, () -> {
                try (Acl acl = new Acl()) {
                    int i = 0;
                    for (JsonElement s : kase.getAsJsonArray("steps")) {
                        JsonObject step = s.getAsJsonObject();
                        String op = step.get("op").getAsString();
                        JsonElement got = run(acl, op, step.get("args"));
                        JsonElement want = normalizeExpected(op, step.get("expect"));
                        assertEquals(want, got, "case '" + name + "', step " + i + ": " + step);
                        if (op.equals("check")) {
                            // The non-throwing forms: allowed() is true exactly when Redis ran the
                            // command, denial()'s message is Redis' NOPERM reply, and what is no
                            // permission answer (ERR ...) still throws with Redis' text.
                            String w = want.getAsString();
                            boolean permissionAnswer = w.equals("OK") || w.startsWith("NOPERM ");
                            assertEquals(want, run(acl, "denial", step.get("args")), "denial(): " + step);
                            JsonElement wantAllowed = permissionAnswer
                                    ? new JsonPrimitive(w.equals("OK") ? "OK" : "denied") : want;
                            assertEquals(wantAllowed, run(acl, "allowed", step.get("args")), "allowed(): " + step);
                        }
                        i++;
                    }
                }
            }));
        }
        return tests.stream();
    }

    /**
     * The comparison rule itself, on the pairs every language's fixture test runs
     * (tests/fixtures/canonical_cases.json): a wrong rule would let a wrong description pass.
     */
    @Test
    void canonicalRuleMatchesTheSharedPairs() throws IOException {
        String text = Files.readString(FIXTURES.resolveSibling("canonical_cases.json"));
        JsonObject doc = JsonParser.parseString(text).getAsJsonObject();
        JsonArray pairs = doc.getAsJsonArray("pairs");
        for (JsonElement e : pairs) {
            JsonObject p = e.getAsJsonObject();
            String a = p.get("a").getAsString();
            String b = p.get("b").getAsString();
            assertEquals(p.get("equal").getAsBoolean(), canonical(a).equals(canonical(b)),
                    a + " vs " + b + ": " + p.get("why").getAsString());
        }
        assertTrue(pairs.size() >= 20, "pairs went missing: " + pairs.size());
    }
}
