package example;

import io.authgate.Acl;
import io.authgate.CertLogin;
import io.authgate.CertUserMap;
import io.authgate.ClientCert;
import io.authgate.SubjectPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The README's Java certificate program, run against the installed jar as
 * {@code java example.CertExample client.pem}: exits non-zero if a result is not core's.
 */
public final class CertExample {
    private CertExample() {}

    /**
     * Runs the program.
     *
     * @param args the client certificate's PEM file (default {@code client.pem})
     * @throws IOException if the file cannot be read
     */
    public static void main(String[] args) throws IOException {
        byte[] pem = Files.readAllBytes(Path.of(args.length > 0 ? args[0] : "client.pem"));
        try (ClientCert cert = ClientCert.fromPem(pem);
                SubjectPolicy policy = new SubjectPolicy("san_cn", List.of("CN=alice"));
                Acl acl = new Acl();
                CertUserMap users = new CertUserMap("CN")) {
            System.out.println(cert.subject()); // as openssl x509 -noout -subject -nameopt RFC2253 prints it
            // Redis Software's subject validation: san_cn passes on the subject CN or a SAN DNS name.
            policy.check(cert); // throws CertificateException when refused

            // The user it logs in as: a certificate user by subject line, then tls-auth-clients-user.
            acl.setuser("alice", "on");
            acl.setuser("ops", "on");
            CertLogin login = users.map(cert, acl);
            System.out.println(login.outcome() + " " + login.user().orElse("-")); // tls_auth_clients_user alice
            require(login.user().equals(Optional.of("alice")), login.toString());
            users.setUser("ops", cert.subject());
            login = users.map(cert, acl);
            System.out.println(login.outcome() + " " + login.user().orElse("-")); // certificate_user ops
            require(login.user().equals(Optional.of("ops")) && login.outcome().equals("certificate_user"), login.toString());
        }
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
