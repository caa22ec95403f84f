package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Certificate identity: the shared fixture (tests/fixtures/cert_cases.json; certificates made
 * with openssl by cert_cases_gen.py, every expected subject, common name, SAN and date read
 * from openssl's output), run as the C, Python and Node suites run it: ClientCert from PEM and
 * DER, malformed inputs refused with CertificateException and core's text, Redis Software
 * subject policies passing or refusing each certificate, policies refused when built.
 */
class CertTest {
    static final Path FIXTURES = Path.of("..", "tests", "fixtures");
    static JsonObject cases;
    static final Map<String, ClientCert> CERTS = new HashMap<>();

    @BeforeAll
    static void load() throws IOException {
        cases = JsonParser.parseString(Files.readString(FIXTURES.resolve("cert_cases.json"))).getAsJsonObject();
        for (JsonElement e : cases.getAsJsonArray("certificates")) {
            JsonObject c = e.getAsJsonObject();
            CERTS.put(c.get("name").getAsString(), ClientCert.fromPem(read(c.get("pem").getAsString())));
        }
    }

    @AfterAll
    static void free() {
        CERTS.values().forEach(ClientCert::close);
    }

    static byte[] read(String rel) throws IOException {
        return Files.readAllBytes(FIXTURES.resolve(rel));
    }

    static List<String> strings(JsonElement array) {
        return array.getAsJsonArray().asList().stream().map(JsonElement::getAsString).toList();
    }

    static Map<String, Object> properties(ClientCert c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("subject", c.subject());
        out.put("common_name", c.commonName().orElse(null));
        out.put("san_emails", c.sanEmails());
        out.put("san_dns", c.sanDns());
        out.put("san_uris", c.sanUris());
        out.put("san_ips", c.sanIps());
        out.put("not_before", c.notBefore());
        out.put("not_after", c.notAfter());
        return out;
    }

    static Map<String, Object> expected(JsonObject c) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("subject", c.get("subject").getAsString());
        out.put("common_name", c.get("common_name").isJsonNull() ? null : c.get("common_name").getAsString());
        for (String k : List.of("san_emails", "san_dns", "san_uris", "san_ips")) {
            out.put(k, strings(c.get(k)));
        }
        out.put("not_before", c.get("not_before").getAsLong());
        out.put("not_after", c.get("not_after").getAsLong());
        return out;
    }

    @Test
    void everyCertificateReadsAsOpensslReadsIt() throws IOException {
        assertTrue(cases.getAsJsonArray("certificates").size() >= 10);
        for (JsonElement e : cases.getAsJsonArray("certificates")) {
            JsonObject c = e.getAsJsonObject();
            String name = c.get("name").getAsString();
            Map<String, Object> want = expected(c);
            byte[] pem = read(c.get("pem").getAsString());
            try (ClientCert a = ClientCert.fromPem(pem);
                    ClientCert b = ClientCert.fromPem(new String(pem, StandardCharsets.US_ASCII));
                    ClientCert d = ClientCert.fromDer(read(c.get("der").getAsString()))) {
                assertEquals(want, properties(a), name);
                assertEquals(want, properties(b), name);
                assertEquals(want, properties(d), name);
            }
        }
    }

    @Test
    void malformedInputIsACertificateException() {
        for (JsonElement e : cases.getAsJsonArray("malformed")) {
            JsonObject c = e.getAsJsonObject();
            String name = c.get("name").getAsString();
            byte[] input = c.has("repeat")
                    ? c.get("repeat").getAsString().repeat(c.get("times").getAsInt()).getBytes(StandardCharsets.US_ASCII)
                    : Base64.getDecoder().decode(c.get("base64").getAsString());
            CertificateException x = assertThrows(CertificateException.class,
                    () -> (c.get("via").getAsString().equals("from_pem") ? ClientCert.fromPem(input) : ClientCert.fromDer(input)).close(),
                    name);
            assertEquals("CERTIFICATE", x.code(), name);
            if (c.has("message")) {
                assertEquals(c.get("message").getAsString(), x.getMessage(), name);
            } else {
                assertTrue(x.getMessage().startsWith(c.get("message_prefix").getAsString()), name + ": " + x.getMessage());
            }
        }
    }

    @Test
    void subjectPoliciesPassOrRefuseAsCoreDecides() {
        for (JsonElement e : cases.getAsJsonArray("policies")) {
            JsonObject p = e.getAsJsonObject();
            String validation = p.get("validation").getAsString();
            try (SubjectPolicy policy = new SubjectPolicy(validation, strings(p.get("authorized_subjects")))) {
                assertEquals(validation, policy.validation());
                for (Map.Entry<String, JsonElement> c : p.getAsJsonObject("cases").entrySet()) {
                    ClientCert cert = CERTS.get(c.getKey());
                    if (c.getValue().isJsonNull()) {
                        policy.check(cert);
                    } else {
                        CertificateException x = assertThrows(CertificateException.class, () -> policy.check(cert), c.getKey());
                        assertEquals(List.of("CERTIFICATE", c.getValue().getAsString()), List.of(x.code(), x.getMessage()));
                    }
                }
            }
        }
    }

    @Test
    void policiesCoreRefusesAreRefusedWhenBuilt() {
        for (JsonElement e : cases.getAsJsonArray("invalid_policies")) {
            JsonObject p = e.getAsJsonObject();
            CertificateException x = assertThrows(CertificateException.class,
                    () -> new SubjectPolicy(p.get("validation").getAsString(), strings(p.get("authorized_subjects"))).close());
            assertEquals(List.of("CERTIFICATE", p.get("message").getAsString()), List.of(x.code(), x.getMessage()));
        }
    }

    @Test
    void defaultsAreCoresAndArgumentsAreChecked() throws IOException {
        JsonObject tls = JsonParser.parseString(Files.readString(FIXTURES.resolve("vocabulary.json")))
                .getAsJsonObject().getAsJsonObject("tls");
        String def = tls.getAsJsonObject("defaults").get("validation").getAsString();
        try (SubjectPolicy p = new SubjectPolicy(); SubjectPolicy q = new SubjectPolicy(null, List.of("CN=x"))) {
            assertEquals(def, p.validation());
            assertEquals(def, q.validation());
            p.check(CERTS.get("nosubj"));
            assertThrows(NullPointerException.class, () -> p.check(null));
        }
        assertThrows(NullPointerException.class, () -> ClientCert.fromPem((byte[]) null));
        assertThrows(NullPointerException.class, () -> new SubjectPolicy("san_cn", null));
        List<String> withNull = new ArrayList<>();
        withNull.add(null);
        assertThrows(NullPointerException.class, () -> new SubjectPolicy("san_cn", withNull));
    }

    @Test
    void closedHandlesThrowAndPropertiesStayReadable() throws IOException {
        ClientCert cert = ClientCert.fromPem(read("certs/multi_ou.pem"));
        SubjectPolicy policy = new SubjectPolicy("san_cn", List.of("CN=alice"));
        policy.check(cert);
        cert.close();
        cert.close();
        assertTrue(cert.isClosed());
        assertEquals("alice", cert.commonName().orElseThrow());
        assertThrows(IllegalStateException.class, () -> policy.check(cert));
        policy.close();
        assertThrows(IllegalStateException.class, () -> policy.check(CERTS.get("multi_ou")));
    }

    @Test
    void sharedBetweenThreads() throws Exception {
        ClientCert cert = CERTS.get("multi_ou");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (SubjectPolicy policy = new SubjectPolicy("full_subject", List.of("CN=alice,OU=Platform,OU=Engineering"))) {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        policy.check(cert);
                    }
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }
}
