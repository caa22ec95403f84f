package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NatsAuth and NatsIdentity: the shared NATS fixtures (tests/fixtures/nats_cases.json,
 * recorded from nats-server 2.9.10) with every login and every check, then the API's own
 * contract (errors, parse arguments, URL credentials, async, closing).
 */
class NatsTest {
    static final Path FIXTURES = Path.of("..", "tests", "fixtures", "nats_cases.json");
    /** The recorded cases and logins: a fixture change must show up here, not test nothing. */
    static final int CASES = 316;
    static final int LOGINS = 1832;
    /** Go pointers in nats-server's texts, masked in the fixtures (compare.py). */
    static final Pattern POINTER = Pattern.compile("0x[0-9a-fA-F]+");

    @TempDir
    Path tmp;

    static String str(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e == null || e.isJsonNull() ? null : e.getAsString();
    }

    /** The auth of a case: its files through fromFile, or its command-line mode. */
    static NatsAuth load(JsonObject c, Path dir) throws IOException {
        String main = str(c, "main");
        if (main == null) {
            List<String> args = new ArrayList<>();
            c.getAsJsonArray("server_args").forEach(a -> args.add(a.getAsString()));
            int auth = Math.max(args.indexOf("-auth"), args.indexOf("--auth"));
            if (auth >= 0) {
                return NatsAuth.token(args.get(auth + 1));
            }
            return NatsAuth.singleUser(args.get(args.indexOf("--user") + 1), args.get(args.indexOf("--pass") + 1));
        }
        for (Map.Entry<String, JsonElement> f : c.getAsJsonObject("files").entrySet()) {
            Path p = dir.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue().getAsString(), StandardCharsets.UTF_8);
        }
        JsonObject env = c.getAsJsonObject("env");
        env.entrySet().forEach(e -> NativeLib.debugSetenv(e.getKey(), e.getValue().getAsString()));
        try {
            return NatsAuth.fromFile(dir.resolve(main));
        } finally {
            env.keySet().forEach(k -> NativeLib.debugSetenv(k, null));
        }
    }

    @Test
    void recordedCases() throws IOException {
        JsonArray cases = JsonParser.parseString(Files.readString(FIXTURES)).getAsJsonObject().getAsJsonArray("cases");
        assertEquals(CASES, cases.size());
        int logins = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            JsonObject c = cases.get(i).getAsJsonObject();
            String name = str(c, "name");
            Path dir = Files.createDirectories(tmp.resolve("case" + i));
            JsonObject check = c.getAsJsonObject("check");
            if (check != null && !check.get("ok").getAsBoolean()) {
                try (NatsAuth a = load(c, dir)) {
                    failures.add(name + ": accepted a config nats-server refuses (auth timeout " + a.authTimeout() + ")");
                } catch (ConfigException e) {
                    assertEquals("CONFIG", e.code());
                    String prefix = dir.toString() + "/";
                    String[] lines = POINTER.matcher(e.getMessage().replace(prefix, "")).replaceAll("0xPTR").split("\n");
                    Arrays.sort(lines);
                    List<String> got = List.of(lines);
                    boolean match = false;
                    for (JsonElement v : check.getAsJsonArray("variants")) {
                        List<String> want = new ArrayList<>();
                        v.getAsJsonArray().forEach(l -> want.add(l.getAsString()));
                        match |= want.equals(got);
                    }
                    if (!match) {
                        failures.add(name + ": " + got + " not in " + check.get("variants"));
                    }
                }
                continue;
            }
            try (NatsAuth auth = load(c, dir)) {
                for (JsonElement le : c.getAsJsonArray("logins")) {
                    logins++;
                    JsonObject l = le.getAsJsonObject();
                    String what = name + " login " + l;
                    NatsAuth.Connect connect = new NatsAuth.Connect();
                    if (str(l, "user") != null) {
                        connect.user(str(l, "user"));
                    }
                    if (str(l, "password") != null) {
                        connect.password(str(l, "password"));
                    }
                    if (str(l, "token") != null) {
                        connect.token(str(l, "token"));
                    }
                    if (!l.get("ok").getAsBoolean()) {
                        try (NatsIdentity id = auth.authenticate(connect)) {
                            failures.add(what + ": accepted as " + id.user());
                        } catch (AuthException e) {
                            assertEquals("AUTH", e.code());
                            assertEquals(str(l, "error"), e.getMessage());
                        }
                        continue;
                    }
                    try (NatsIdentity id = auth.authenticate(connect)) {
                        if (!str(l, "user_name").equals(id.user()) || !str(l, "account").equals(id.account())) {
                            failures.add(what + ": got user=" + id.user() + " account=" + id.account());
                        }
                        for (JsonElement ce : l.getAsJsonArray("checks")) {
                            JsonObject k = ce.getAsJsonObject();
                            boolean got = "pub".equals(str(k, "op"))
                                    ? id.canPublish(str(k, "subject"))
                                    : id.canSubscribe(str(k, "subject"), str(k, "queue"));
                            if (got != k.get("allow").getAsBoolean()) {
                                failures.add(what + ": check " + k + " got " + got);
                            }
                        }
                    } catch (AuthException e) {
                        failures.add(what + ": refused");
                    }
                }
            } catch (ConfigException e) {
                failures.add(name + ": refused a config nats-server accepts: " + e.getMessage());
            }
        }
        assertEquals(List.of(), failures);
        assertEquals(LOGINS, logins);
    }

    static final String CONF = String.join("\n",
            "authorization {",
            "  timeout: 3.5",
            "  users: [",
            "    {user: alice, password: pw, permissions: {publish: {allow: [\"orders.>\"], deny: [\"orders.secret\"]},",
            "      subscribe: {allow: [\"updates.*\", \"jobs queue1\"]}}}",
            "    {user: bob, password: pw2}",
            "  ]",
            "}",
            "");

    @Test
    void permissionsAndIdentity() {
        try (NatsAuth auth = NatsAuth.parse(CONF);
                NatsIdentity id = auth.authenticate(new NatsAuth.Connect().user("alice").password("pw"))) {
            assertEquals(3.5, auth.authTimeout());
            assertEquals("alice", id.user());
            assertEquals("$G", id.account());
            assertTrue(id.canPublish("orders.new"));
            assertFalse(id.canPublish("orders.secret"));
            assertFalse(id.canPublish("other"));
            assertTrue(id.canPublish("orders.x".getBytes(StandardCharsets.UTF_8)));
            assertTrue(id.canSubscribe("updates.a"));
            assertFalse(id.canSubscribe("updates.a.b"));
            assertTrue(id.canSubscribe("jobs", "queue1"));
            assertFalse(id.canSubscribe("jobs", "queue2"));
            assertFalse(id.canSubscribe("jobs"));
            assertTrue(id.canReceive("updates.a"));
        }
    }

    @Test
    void refusedLoginIsAuth() {
        try (NatsAuth auth = NatsAuth.parse(CONF)) {
            AuthException e = assertThrows(AuthException.class,
                    () -> auth.authenticate(new NatsAuth.Connect().user("alice").password("nope")));
            assertEquals("AUTH", e.code());
            assertEquals("Authorization Violation", e.getMessage());
            assertThrows(AuthException.class, () -> auth.authenticate());
        }
    }

    @Test
    void badConfigIsConfigWithPosition() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> NatsAuth.parse("authorization { token: t, users: [{user: a, password: b}] }\n", "x.conf", null));
        assertEquals("CONFIG", e.code());
        assertEquals("x.conf:1:0: Can not have a token and a users array", e.getMessage());
        ConfigException op = assertThrows(ConfigException.class, () -> NatsAuth.parse("operator: x.jwt\n"));
        assertTrue(op.getMessage().contains("operator"), op.getMessage());
    }

    @Test
    void parseIncludesRelativeToBaseDir() throws IOException {
        Files.writeString(tmp.resolve("users.conf"), "users: [{user: inc, password: p}]\n");
        String text = "authorization { include users.conf }\n";
        try (NatsAuth auth = NatsAuth.parse(text, "main.conf", tmp.toString());
                NatsIdentity id = auth.authenticate(new NatsAuth.Connect().user("inc").password("p"))) {
            assertEquals("inc", id.user());
        }
        assertThrows(ConfigException.class, () -> NatsAuth.parse(text, "main.conf", tmp.resolve("none").toString()));
    }

    @Test
    void fromFileMissing() {
        ConfigException e = assertThrows(ConfigException.class, () -> NatsAuth.fromFile(tmp.resolve("absent.conf")));
        assertEquals("CONFIG", e.code());
    }

    @Test
    void urlCredentialsAndOverride() {
        try (NatsAuth auth = NatsAuth.parse(CONF)) {
            try (NatsIdentity id = auth.authenticate(new NatsAuth.Connect().url("nats://bob:pw2@127.0.0.1:4222"))) {
                assertEquals("bob", id.user());
            }
            // A field set explicitly replaces the URL's part.
            try (NatsIdentity id = auth.authenticate(
                    new NatsAuth.Connect().url("nats://bob:wrong@127.0.0.1:4222").password("pw2"))) {
                assertEquals("bob", id.user());
            }
            assertThrows(AuthException.class,
                    () -> auth.authenticate(new NatsAuth.Connect().url("nats://bob:wrong@127.0.0.1:4222")));
        }
        try (NatsAuth auth = NatsAuth.token("s3cret");
                NatsIdentity id = auth.authenticate(new NatsAuth.Connect().url("nats://s3cret@localhost"))) {
            assertEquals("", id.user());
            assertEquals("$G", id.account());
        }
    }

    @Test
    void connectionTypes() {
        String conf = "authorization { users: [{user: w, password: p, allowed_connection_types: [\"WEBSOCKET\"]}] }\n";
        try (NatsAuth auth = NatsAuth.parse(conf)) {
            assertThrows(AuthException.class, () -> auth.authenticate(new NatsAuth.Connect().user("w").password("p")));
            try (NatsIdentity id = auth.authenticate(
                    new NatsAuth.Connect().user("w").password("p").connectionType("websocket"))) {
                assertEquals("w", id.user());
            }
            AuthgateException e = assertThrows(AuthgateException.class,
                    () -> auth.authenticate(new NatsAuth.Connect().connectionType("carrier-pigeon")));
            assertEquals("INVALID_ARGUMENT", e.code());
        }
    }

    @Test
    void singleUserMode() {
        try (NatsAuth auth = NatsAuth.singleUser("foo", "bar")) {
            try (NatsIdentity id = auth.authenticate(new NatsAuth.Connect().user("foo").password("bar"))) {
                assertEquals("foo", id.user());
            }
            assertThrows(AuthException.class, () -> auth.authenticate(new NatsAuth.Connect().user("foo").password("x")));
        }
    }

    @Test
    void asyncBcrypt() throws Exception {
        // A bcrypt hash of "pw" at cost 4 (the tests' cost), made with Python's bcrypt.
        String hash = "$2b$04$GLfIAfdanIyO3d0lutCqpeBuNAmE537tNgDfilkNK.5HxgBKTD0Eq";
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (NatsAuth auth = NatsAuth.singleUser("u", hash)) {
            try (NatsIdentity id = auth.authenticateAsync(new NatsAuth.Connect().user("u").password("pw"), pool).get()) {
                assertEquals("u", id.user());
            }
            CompletionException e = assertThrows(CompletionException.class,
                    () -> auth.authenticateAsync(new NatsAuth.Connect().user("u").password("no"), pool).join());
            assertTrue(e.getCause() instanceof AuthException);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void closedHandles() {
        NatsAuth auth = NatsAuth.parse(CONF);
        NatsIdentity id = auth.authenticate(new NatsAuth.Connect().user("bob").password("pw2"));
        auth.close();
        auth.close();
        assertTrue(auth.isClosed());
        assertThrows(IllegalStateException.class, auth::authTimeout);
        // An identity outlives its config.
        assertTrue(id.canPublish("anything"));
        id.close();
        assertTrue(id.isClosed());
        assertThrows(IllegalStateException.class, () -> id.canPublish("x"));
    }

    static final String PERMISSIONS = String.join("\n",
            "authorization {",
            "  users: [",
            "    {user: svc, password: p, permissions: {",
            "      publish: {allow: [\"orders.>\", \"audit\"], deny: \"orders.secret\"},",
            "      subscribe: {allow: [\"replies.*\", \"jobs.* workers\"]},",
            "      allow_responses: {max: 2, expires: \"1m30s\"}}},",
            "    {user: reply, password: p, permissions: {subscribe: \"req.>\", allow_responses: true}},",
            "    {user: open, password: p}",
            "  ]",
            "}");

    static NatsIdentity login(NatsAuth auth, String user) {
        return auth.authenticate(new NatsAuth.Connect().user(user).password("p"));
    }

    @Test
    void permissionsAsData() {
        try (NatsAuth auth = NatsAuth.parse(PERMISSIONS);
                NatsIdentity svc = login(auth, "svc");
                NatsIdentity reply = login(auth, "reply");
                NatsIdentity open = login(auth, "open");
                NatsAuth token = NatsAuth.token("t");
                NatsIdentity byToken = token.authenticate(new NatsAuth.Connect().token("t"))) {
            assertEquals(new NatsPermissions(
                    new NatsPermissions.Subjects(List.of("orders.>", "audit"), List.of("orders.secret")),
                    new NatsPermissions.Subjects(List.of("replies.*", "jobs.* workers"), null),
                    new NatsPermissions.Responses(2, 90.0)), svc.permissions());
            // allow_responses alone: publish allows nothing but responses (an empty allow
            // list), with nats-server's defaults of one response within two minutes.
            assertEquals(new NatsPermissions(
                    new NatsPermissions.Subjects(List.of(), null),
                    new NatsPermissions.Subjects(List.of("req.>"), null),
                    new NatsPermissions.Responses(1, 120.0)), reply.permissions());
            assertEquals(null, open.permissions());
            assertEquals(null, byToken.permissions());
        }
    }

    @Test
    void receivedRequestMakesTheReplyPublishable() {
        try (NatsAuth auth = NatsAuth.parse(PERMISSIONS);
                NatsIdentity reply = login(auth, "reply");
                NatsIdentity svc = login(auth, "svc");
                NatsIdentity fresh = login(auth, "reply");
                NatsIdentity open = login(auth, "open")) {
            assertFalse(reply.canPublish("_INBOX.abc"));
            reply.receivedRequest("_INBOX.abc");
            assertTrue(reply.canPublish("_INBOX.abc"));
            // max 1: the second response is refused, and other subjects never were allowed
            assertFalse(reply.canPublish("_INBOX.abc"));
            assertFalse(reply.canPublish("_INBOX.other"));
            svc.receivedRequest("_INBOX.x".getBytes(StandardCharsets.UTF_8));
            assertEquals(List.of(true, true, false),
                    List.of(svc.canPublish("_INBOX.x"), svc.canPublish("_INBOX.x"), svc.canPublish("_INBOX.x")));
            // identities do not share replies; without allow_responses nothing changes
            assertFalse(fresh.canPublish("_INBOX.abc"));
            open.receivedRequest("x");
            assertTrue(open.canPublish("anything"));
            assertThrows(NullPointerException.class, () -> open.receivedRequest((String) null));
        }
    }

    @Test
    void verifyAndMapMapsTheClientCertificate() throws IOException {
        Path certs = Path.of("..", "tests", "fixtures", "certs").toAbsolutePath().normalize();
        String conf = "tls { cert_file: \"" + certs + "/server.pem\", key_file: \"" + certs + "/server.key\", ca_file: \""
                + certs + "/ca.pem\", verify_and_map: true }\nauthorization { users: [ {user: \"alice@example.com\"} ] }\n";
        try (NatsAuth auth = NatsAuth.parse(conf)) {
            assertThrows(AuthException.class, () -> auth.authenticate(new NatsAuth.Connect()).close());
            for (String file : List.of("multi_ou.pem", "multi_ou.der")) {
                byte[] cert = Files.readAllBytes(certs.resolve(file));
                try (NatsIdentity id = auth.authenticate(new NatsAuth.Connect().certificate(cert))) {
                    assertEquals("alice@example.com", id.user(), file);
                }
            }
            byte[] other = Files.readAllBytes(certs.resolve("special.pem"));
            assertThrows(AuthException.class, () -> auth.authenticate(new NatsAuth.Connect().certificate(other)).close());
            CertificateException x = assertThrows(CertificateException.class,
                    () -> auth.authenticate(new NatsAuth.Connect().certificate(new byte[] {1, 2, 3})).close());
            assertEquals("CERTIFICATE", x.code());
        }
    }
}
