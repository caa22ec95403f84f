package io.authgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.OptionalInt;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * The embedded server's TLS options ({@code tlsPort}, {@code tlsCertFile}, ...,
 * {@code certificateUser}): a server started from Java with TLS accepts a client certificate
 * (the fixture's CN=alice, made by cert_cases_gen.py with openssl) over an SSLSocket and logs
 * the connection in as the mapped user, which ACL WHOAMI shows; bad values are refused with
 * core's texts before anything starts.
 */
class ServerTlsTest {
    static final Path FIXTURES = Path.of("..", "tests", "fixtures");
    static final Path CERTS = FIXTURES.resolve("certs");

    static Server.Builder tls(Acl acl) {
        return Server.builder(acl)
                .tlsCertFile(CERTS.resolve("server.pem"))
                .tlsKeyFile(CERTS.resolve("server.key").toString())
                .tlsCaCertFile(CERTS.resolve("ca.pem"));
    }

    static JsonObject vocabulary() throws Exception {
        return JsonParser.parseString(Files.readString(FIXTURES.resolve("vocabulary.json"))).getAsJsonObject();
    }

    static String subject() throws Exception {
        JsonObject cases = JsonParser.parseString(Files.readString(FIXTURES.resolve("cert_cases.json"))).getAsJsonObject();
        for (JsonElement c : cases.getAsJsonArray("certificates")) {
            if (c.getAsJsonObject().get("name").getAsString().equals("multi_ou")) {
                return c.getAsJsonObject().get("subject").getAsString();
            }
        }
        throw new AssertionError("no multi_ou certificate in the fixture");
    }

    static Certificate certificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** ACL WHOAMI over an SSLSocket, with the fixture's client certificate unless {@code withCert} is false. */
    static String whoami(int port, boolean withCert) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", certificate(CERTS.resolve("ca.pem")));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (withCert) {
            String pem = Files.readString(CERTS.resolve("multi_ou.key"));
            String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", key, new char[0], new Certificate[] {certificate(CERTS.resolve("multi_ou.pem"))});
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, new char[0]);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("ACL WHOAMI\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder reply = new StringBuilder();
            int crlf = 0;
            while (crlf < 2) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                reply.append((char) b);
                if (b == '\n') {
                    crlf++;
                }
            }
            return reply.toString();
        }
    }

    @Test
    void everyTlsOptionIsABuilderMethod() throws Exception {
        JsonObject server = vocabulary().getAsJsonObject("server");
        List<String> methods = new java.util.ArrayList<>();
        for (java.lang.reflect.Method m : Server.Builder.class.getMethods()) {
            methods.add(m.getName());
        }
        for (JsonElement name : server.getAsJsonArray("tls_options")) {
            String camel = ParityTest.camel(name.getAsString());
            // certificate_users: one certificateUser(name, line) call per user.
            String method = camel.equals("certificateUsers") ? "certificateUser" : camel;
            assertTrue(methods.contains(method), method);
        }
        for (JsonElement name : server.getAsJsonArray("tls_properties")) {
            assertEquals(OptionalInt.class, Server.class.getMethod(ParityTest.camel(name.getAsString())).getReturnType());
        }
    }

    @Test
    void tlsAuthClientsUserCnLogsTheCertificateIn() throws Exception {
        try (Acl acl = new Acl()) {
            acl.setuser("alice", "on", "nopass", "+@all");
            try (Server server = tls(acl).tlsAuthClientsUser("CN").tlsAuthClients("optional")
                    .tlsProtocols("TLSv1.2 TLSv1.3").tlsCiphersuites("").tlsCiphers("")
                    .tlsPreferServerCiphers(true).tlsKeyFilePass("").build()) {
                assertEquals(OptionalInt.empty(), server.tlsPort());
                int port = server.start();
                int tlsPort = server.tlsPort().orElseThrow();
                assertNotEquals(port, tlsPort);
                assertEquals("$5\r\nalice\r\n", whoami(tlsPort, true));
                assertEquals("$7\r\ndefault\r\n", whoami(tlsPort, false), "optional: no certificate stays default");
            }
        }
    }

    @Test
    void certificateUsersLogInBySubjectLine() throws Exception {
        try (Acl acl = new Acl()) {
            acl.setuser("carol", "on", ">pw", "+@all");
            try (Server server = tls(acl).tlsPort(0).certificateUser("carol", subject()).start()) {
                assertEquals("$5\r\ncarol\r\n", whoami(server.tlsPort().orElseThrow(), true));
                assertTrue(acl.getuser("carol").passwords().isEmpty(), "certificate-only: resetpass at start");
            }
        }
    }

    @Test
    void badValuesAreRefusedWithCoreTexts() {
        try (Acl acl = new Acl()) {
            AuthgateException e = assertThrows(AuthgateException.class, () -> tls(acl).tlsAuthClients("maybe").build());
            assertEquals("INVALID_ARGUMENT", e.code());
            assertEquals("tls_auth_clients: argument(s) must be one of the following: no, yes, optional", e.getMessage());
            e = assertThrows(AuthgateException.class, () -> tls(acl).tlsAuthClientsUser("DN").build());
            assertEquals("tls_auth_clients_user: argument(s) must be one of the following: off, CN, URI", e.getMessage());
            e = assertThrows(AuthgateException.class, () -> tls(acl).tlsPort(70000).build());
            assertEquals("tls_port: argument must be between 0 and 65535 inclusive", e.getMessage());
            assertThrows(CertificateException.class, () -> tls(acl).certificateUser("x", "CN=a, O=b").build());
            Server bad = Server.builder(acl).tlsCertFile(CERTS.resolve("server.pem"))
                    .tlsKeyFile(CERTS.resolve("multi_ou.key")).tlsAuthClients("no").build();
            try (bad) {
                ConfigException c = assertThrows(ConfigException.class, bad::start);
                assertTrue(c.getMessage().contains("the private key does not match the certificate"), c.getMessage());
                assertFalse(bad.running());
            }
        }
    }
}
