package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Certificate to user mapping (CertUserMap, CertLogin): the shared fixture's user maps
 * (tests/fixtures/cert_cases.json; user names and subject lines read from openssl's
 * description of the certificates by cert_cases_gen.py), run as the C, Python and Node suites
 * run them: each map's mode and certificate users, an engine with the case's users (or none),
 * and per certificate the user, outcome and log line; refused modes and subject lines change
 * nothing.
 */
class CertUserMapTest {
    static final Path FIXTURES = Path.of("..", "tests", "fixtures");
    static JsonObject cases;
    static final Map<String, ClientCert> CERTS = new HashMap<>();

    @BeforeAll
    static void load() throws IOException {
        cases = JsonParser.parseString(Files.readString(FIXTURES.resolve("cert_cases.json"))).getAsJsonObject();
        for (JsonElement e : cases.getAsJsonArray("certificates")) {
            JsonObject c = e.getAsJsonObject();
            CERTS.put(c.get("name").getAsString(),
                    ClientCert.fromPem(Files.readAllBytes(FIXTURES.resolve(c.get("pem").getAsString()))));
        }
    }

    @AfterAll
    static void free() {
        CERTS.values().forEach(ClientCert::close);
    }

    static Optional<String> optional(JsonElement e) {
        return e.isJsonNull() ? Optional.empty() : Optional.of(e.getAsString());
    }

    /** The case's engine: its users by ACL SETUSER words; null for {@code "acl": null}. */
    static Acl engine(JsonElement users) {
        if (users.isJsonNull()) {
            return null;
        }
        Acl acl = new Acl();
        for (JsonElement u : users.getAsJsonArray()) {
            List<String> words = u.getAsJsonArray().asList().stream().map(JsonElement::getAsString).toList();
            acl.setuser(words.get(0), words.subList(1, words.size()).toArray(new String[0]));
        }
        return acl;
    }

    @Test
    void everyUserMapLogsEachCertificateInAsTheFixtureSays() {
        List<JsonElement> maps = cases.getAsJsonArray("user_maps").asList();
        assertTrue(maps.size() >= 10);
        for (JsonElement e : maps) {
            JsonObject m = e.getAsJsonObject();
            String name = m.get("name").getAsString();
            List<JsonObject> users = m.getAsJsonArray("certificate_users").asList().stream()
                    .map(JsonElement::getAsJsonObject).toList();
            Acl acl = engine(m.get("acl"));
            try (CertUserMap map = new CertUserMap(m.get("mode").getAsString())) {
                String written = m.has("mode_as_written") ? m.get("mode_as_written").getAsString() : m.get("mode").getAsString();
                assertEquals(written, map.mode(), name);
                for (JsonObject u : users) {
                    map.setUser(u.get("name").getAsString(), u.get("certificate_subject_line").getAsString());
                }
                assertEquals(users.stream().map(u -> u.get("name").getAsString()).sorted().toList(), map.users(), name);
                for (JsonObject u : users) {
                    assertEquals(Optional.of(u.get("certificate_subject_line").getAsString()),
                            map.subjectLine(u.get("name").getAsString()), name);
                }
                for (Map.Entry<String, JsonElement> c : m.getAsJsonObject("cases").entrySet()) {
                    JsonObject want = c.getValue().getAsJsonObject();
                    ClientCert cert = CERTS.get(c.getKey());
                    CertLogin login = acl == null ? map.map(cert) : map.map(cert, acl);
                    String where = name + " / " + c.getKey();
                    assertEquals(optional(want.get("user")), login.user(), where);
                    assertEquals(want.get("outcome").getAsString(), login.outcome(), where);
                    assertEquals(optional(want.get("log_line")), login.logLine(), where);
                }
                for (JsonObject u : users) {
                    assertTrue(map.removeUser(u.get("name").getAsString()));
                    assertFalse(map.removeUser(u.get("name").getAsString()));
                    assertEquals(Optional.empty(), map.subjectLine(u.get("name").getAsString()));
                }
                assertEquals(List.of(), map.users());
            } finally {
                if (acl != null) {
                    acl.close();
                }
            }
        }
    }

    @Test
    void refusedModesAndSubjectLinesChangeNothing() {
        for (JsonElement e : cases.getAsJsonArray("invalid_user_maps")) {
            JsonObject c = e.getAsJsonObject();
            String message = c.get("message").getAsString();
            String mode = c.get("mode").getAsString();
            if (!c.has("certificate_subject_line")) {
                CertificateException x = assertThrows(CertificateException.class, () -> new CertUserMap(mode));
                assertEquals(List.of("CERTIFICATE", message), List.of(x.code(), x.getMessage()));
                try (CertUserMap map = new CertUserMap("URI")) {
                    x = assertThrows(CertificateException.class, () -> map.setMode(mode));
                    assertEquals(List.of("CERTIFICATE", message), List.of(x.code(), x.getMessage()));
                    assertEquals("URI", map.mode());
                }
                continue;
            }
            try (CertUserMap map = new CertUserMap(mode)) {
                CertificateException x = assertThrows(CertificateException.class,
                        () -> map.setUser("u", c.get("certificate_subject_line").getAsString()));
                assertEquals(List.of("CERTIFICATE", message), List.of(x.code(), x.getMessage()));
                assertTrue(x instanceof AuthgateException);
                assertEquals(List.of(), map.users());
                assertEquals(Optional.empty(), map.subjectLine("u"));
            }
        }
    }

    @Test
    void defaultsAreCoresAndModesAreReadInAnyCase() throws IOException {
        JsonObject tls = JsonParser.parseString(Files.readString(FIXTURES.resolve("vocabulary.json")))
                .getAsJsonObject().getAsJsonObject("tls");
        ClientCert alice = CERTS.get("multi_ou");
        try (CertUserMap map = new CertUserMap(); CertUserMap none = new CertUserMap(null)) {
            assertEquals(tls.getAsJsonObject("defaults").get("mode").getAsString(), map.mode());
            assertEquals("default", none.map(alice).outcome());
            map.setMode("uri");
            assertEquals("URI", map.mode());
            map.setMode("cn");
            assertEquals(Optional.of("alice"), map.map(alice).user());
            assertEquals("CertUserMap(mode=CN, users=0)", map.toString());
        }
    }

    @Test
    void nullsClosedHandlesAndThreads() throws Exception {
        ClientCert alice = CERTS.get("multi_ou");
        CertUserMap map = new CertUserMap("CN");
        assertThrows(NullPointerException.class, () -> map.setUser("u", null));
        assertThrows(NullPointerException.class, () -> map.map(null));
        assertThrows(NullPointerException.class, () -> map.map(alice, null));
        assertThrows(NullPointerException.class, () -> map.setMode(null));
        try (Acl acl = new Acl()) {
            acl.setuser("alice", "on");
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> work = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int id = t;
                    work.add(pool.submit(() -> {
                        for (int k = 0; k < 200; k++) {
                            String user = "u" + id + "-" + k;
                            map.setUser(user, "CN=nobody");
                            assertEquals(Optional.of("alice"), map.map(alice, acl).user());
                            assertTrue(map.removeUser(user));
                        }
                    }));
                }
                for (Future<?> f : work) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            assertEquals(List.of(), map.users());
        }
        map.close();
        map.close();
        assertTrue(map.isClosed());
        assertThrows(IllegalStateException.class, map::mode);
        assertThrows(IllegalStateException.class, () -> map.map(alice));
        Acl closed = new Acl();
        closed.close();
        try (CertUserMap other = new CertUserMap()) {
            assertThrows(IllegalStateException.class, () -> other.map(alice, closed));
        }
    }
}
