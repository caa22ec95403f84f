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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The shared cross-language fixtures (tests/fixtures/acl_cases.json, recorded from
 * redis-server 7.0.15), one dynamic test per case.
 */
class FixturesTest {
    static final Path FIXTURES = Path.of("..", "tests", "fixtures", "acl_cases.json");

    /**
     * ACL LIST lines / GETUSER command strings with the single-command rules of each selector
     * sorted: Redis prints those in hash-table order, so only their set is meaningful.
     */
    static String canonical(String line) {
        List<String> parts = new ArrayList<>();
        for (String seg : line.split(" \\(", -1)) {
            while (seg.endsWith(")")) {
                seg = seg.substring(0, seg.length() - 1);
            }
            List<String> fixed = new ArrayList<>();
            List<String> singles = new ArrayList<>();
            for (String tok : seg.split(" ", -1)) {
                boolean single = (tok.startsWith("+") || tok.startsWith("-")) && !tok.startsWith("@", 1);
                (single ? singles : fixed).add(tok);
            }
            singles.sort(null);
            fixed.addAll(singles);
            parts.add(String.join(" ", fixed));
        }
        return String.join(" | ", parts);
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
                        i++;
                    }
                }
            }));
        }
        return tests.stream();
    }
}
