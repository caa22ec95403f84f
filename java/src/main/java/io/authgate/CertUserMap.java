package io.authgate;

import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which ACL user a verified client certificate logs in as, in {@code authgate serve}'s order
 * (core's {@code tls::CertUserMap}): a certificate user (Redis Software's
 * {@code auth_method: certificate}) whose {@code certificate_subject_line} equals the
 * certificate's RFC 2253 subject (the first by name when several do), then
 * {@code tls-auth-clients-user} ({@code off}, {@code CN}, {@code URI}), then {@code default}.
 *
 * <pre>{@code
 * try (CertUserMap users = new CertUserMap("CN")) {
 *     users.setUser("ops", "CN=ops,O=Acme Corp");
 *     CertLogin login = users.map(cert, acl);   // login.user(), login.outcome(), login.logLine()
 * }
 * }</pre>
 *
 * <p>Thread-safe (changes and lookups may run on several threads at once); {@link #close()}
 * frees it (a {@link Cleaner} does it for a forgotten one). Refused modes and subject lines
 * throw {@link CertificateException} with core's text and change nothing.
 */
public final class CertUserMap implements AutoCloseable {
    static {
        NativeLib.ensureLoaded();
    }

    private final Handle handle;
    private final Cleaner.Cleanable cleanable;

    /** No certificate users, core's default mode ({@code off}). */
    public CertUserMap() {
        this(null);
    }

    /**
     * No certificate users and the given mode.
     *
     * @param mode {@code tls-auth-clients-user}: {@code off}, {@code CN} or {@code URI} in any
     *     case, as redis.conf reads it; null for core's default ({@code off})
     * @throws CertificateException another value (core's text)
     */
    public CertUserMap(String mode) {
        long ptr = nativeNew(mode == null ? null : Wire.utf8(mode));
        this.handle = new Handle("CertUserMap", ptr, CertUserMap::nativeFree);
        this.cleanable = Handle.CLEANER.register(this, handle);
    }

    /**
     * The mode as redis.conf writes it.
     *
     * @return {@code off}, {@code CN} or {@code URI}
     * @throws IllegalStateException if the map is closed
     */
    public String mode() {
        long p = handle.acquire();
        try {
            return new String(nativeMode(p), StandardCharsets.UTF_8);
        } finally {
            handle.release();
        }
    }

    /**
     * Sets the mode.
     *
     * @param mode {@code off}, {@code CN} or {@code URI}, in any case
     * @throws CertificateException another value (core's text); nothing changes
     * @throws IllegalStateException if the map is closed
     */
    public void setMode(String mode) {
        byte[] m = Wire.utf8(Objects.requireNonNull(mode, "mode"));
        long p = handle.acquire();
        try {
            nativeSetMode(p, m);
        } finally {
            handle.release();
        }
    }

    /**
     * The certificate users' names.
     *
     * @return an unmodifiable list, in name order
     * @throws IllegalStateException if the map is closed
     */
    public List<String> users() {
        long p = handle.acquire();
        try {
            return Wire.strings(nativeUsers(p));
        } finally {
            handle.release();
        }
    }

    /**
     * Makes {@code user} a certificate user whose {@code certificate_subject_line} is
     * {@code subjectLine}, replacing its previous line.
     *
     * @param user the ACL user name
     * @param subjectLine the certificate's subject exactly as
     *     {@code openssl x509 -noout -subject -nameopt RFC2253} prints it
     * @throws CertificateException a line not in that form (core's text says how to write
     *     it); nothing changes
     * @throws IllegalStateException if the map is closed
     */
    public void setUser(String user, String subjectLine) {
        byte[] u = Wire.utf8(Objects.requireNonNull(user, "user"));
        byte[] l = Wire.utf8(Objects.requireNonNull(subjectLine, "subjectLine"));
        long p = handle.acquire();
        try {
            nativeSetUser(p, u, l);
        } finally {
            handle.release();
        }
    }

    /**
     * Stops {@code user} being a certificate user.
     *
     * @param user the user name
     * @return whether it was one
     * @throws IllegalStateException if the map is closed
     */
    public boolean removeUser(String user) {
        byte[] u = Wire.utf8(Objects.requireNonNull(user, "user"));
        long p = handle.acquire();
        try {
            return nativeRemoveUser(p, u);
        } finally {
            handle.release();
        }
    }

    /**
     * The subject line of a certificate user.
     *
     * @param user the user name
     * @return its line, or empty if it is not a certificate user
     * @throws IllegalStateException if the map is closed
     */
    public Optional<String> subjectLine(String user) {
        byte[] u = Wire.utf8(Objects.requireNonNull(user, "user"));
        long p = handle.acquire();
        try {
            Wire.Reader r = new Wire.Reader(nativeSubjectLine(p, u));
            return r.next().equals("1") ? Optional.of(r.next()) : Optional.empty();
        } finally {
            handle.release();
        }
    }

    /**
     * Which user {@code cert} (its chain already verified) logs in as, every name being a
     * candidate (for a program that checks the user itself).
     *
     * @param cert the client's certificate
     * @return the login
     * @throws IllegalStateException if the map or the certificate is closed
     */
    public CertLogin map(ClientCert cert) {
        Objects.requireNonNull(cert, "cert");
        return login(cert, 0);
    }

    /**
     * Which user {@code cert} (its chain already verified) logs in as, a candidate having to
     * be an enabled user of {@code acl}, as the server sees it.
     *
     * @param cert the client's certificate
     * @param acl the engine whose users are the candidates
     * @return the login
     * @throws IllegalStateException if the map, the certificate or the engine is closed
     */
    public CertLogin map(ClientCert cert, Acl acl) {
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(acl, "acl");
        return acl.with(a -> login(cert, a));
    }

    private CertLogin login(ClientCert cert, long acl) {
        long p = handle.acquire();
        try {
            Wire.Reader r = new Wire.Reader(cert.with(c -> nativeMap(p, c, acl)));
            String user = r.next().equals("1") ? r.next() : null;
            String outcome = r.next();
            String logLine = r.next().equals("1") ? r.next() : null;
            return new CertLogin(user, outcome, logLine);
        } finally {
            handle.release();
        }
    }

    /**
     * True once {@link #close()} was called.
     *
     * @return whether it is closed
     */
    public boolean isClosed() {
        return handle.isClosed();
    }

    /** Frees the map (idempotent). */
    @Override
    public void close() {
        cleanable.clean();
    }

    @Override
    public String toString() {
        return isClosed() ? "CertUserMap(closed)" : "CertUserMap(mode=" + mode() + ", users=" + users().size() + ")";
    }

    private static native long nativeNew(byte[] mode);

    private static native void nativeFree(long handle);

    private static native byte[] nativeMode(long handle);

    private static native void nativeSetMode(long handle, byte[] mode);

    private static native void nativeSetUser(long handle, byte[] user, byte[] line);

    private static native boolean nativeRemoveUser(long handle, byte[] user);

    private static native byte[] nativeSubjectLine(long handle, byte[] user);

    private static native byte[] nativeUsers(long handle);

    private static native byte[] nativeMap(long handle, long cert, long acl);
}
