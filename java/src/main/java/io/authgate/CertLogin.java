package io.authgate;

import java.util.Optional;

/**
 * What a certificate mapped to ({@link CertUserMap#map(ClientCert, Acl)}): the user the
 * connection is authenticated as (or none: it stays {@code default}), the rule that decided
 * and the server's log line (core's {@code tls::CertLogin}). An immutable value.
 */
public final class CertLogin {
    private final String user;
    private final String outcome;
    private final String logLine;

    CertLogin(String user, String outcome, String logLine) {
        this.user = user;
        this.outcome = outcome;
        this.logLine = logLine;
    }

    /**
     * The user the connection is authenticated as.
     *
     * @return the user, or empty: the connection stays {@code default}
     */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /**
     * Which rule decided: {@code certificate_user} (a subject line matched),
     * {@code tls_auth_clients_user} (the CN or a SAN URI named an enabled user), {@code default}
     * (nothing matched and the mode is off: Redis 7.0.15's behaviour, nothing logged) or
     * {@code no_match} (the mode is on and found no user: the server logs {@link #logLine()} and
     * writes an ACL LOG entry with reason {@code tls-cert}).
     *
     * @return the outcome's name
     */
    public String outcome() {
        return outcome;
    }

    /**
     * The server's log line ({@code TLS: Auto-authenticated client as alice},
     * {@code TLS: No matching user found ...}) for {@code tls_auth_clients_user} and
     * {@code no_match}.
     *
     * @return the line, or empty for the other outcomes
     */
    public Optional<String> logLine() {
        return Optional.ofNullable(logLine);
    }

    @Override
    public String toString() {
        return "CertLogin(user=" + user + ", outcome=" + outcome + ")";
    }
}
