package io.authgate;

import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * A parsed X.509 client certificate: its subject exactly as
 * {@code openssl x509 -noout -subject -nameopt RFC2253} prints it, its first common name, its
 * subject alternative names and its validity dates (core's {@code tls::ClientCert}).
 *
 * <pre>{@code
 * try (ClientCert cert = ClientCert.fromPem(Files.readAllBytes(Path.of("client.pem")))) {
 *     String line = cert.subject();   // CN=alice,OU=Platform,O=Acme Corp,C=US
 * }
 * }</pre>
 *
 * <p>Malformed input throws {@link CertificateException} (code {@code CERTIFICATE}) with core's
 * reason; at most 64 KiB is read. Immutable and thread-safe; {@link #close()} frees the native
 * certificate (a {@link Cleaner} does it for a forgotten one). The properties are read once,
 * at construction, and stay readable after close.
 */
public final class ClientCert implements AutoCloseable {
    static {
        NativeLib.ensureLoaded();
    }

    private final Handle handle;
    private final Cleaner.Cleanable cleanable;
    private final String subject;
    private final String commonName;
    private final List<String> sanEmails;
    private final List<String> sanDns;
    private final List<String> sanUris;
    private final List<String> sanIps;
    private final long notBefore;
    private final long notAfter;

    private ClientCert(long ptr) {
        this.handle = new Handle("ClientCert", ptr, ClientCert::nativeFree);
        this.cleanable = Handle.CLEANER.register(this, handle);
        Wire.Reader r = new Wire.Reader(with(ClientCert::nativeProperties));
        this.subject = r.next();
        this.commonName = r.next().equals("1") ? r.next() : null;
        this.sanEmails = List.copyOf(r.list());
        this.sanDns = List.copyOf(r.list());
        this.sanUris = List.copyOf(r.list());
        this.sanIps = List.copyOf(r.list());
        this.notBefore = Long.parseLong(r.next());
        this.notAfter = Long.parseLong(r.next());
    }

    /**
     * Parses the first {@code CERTIFICATE} block of PEM text (other blocks, such as a private
     * key in the same file, are skipped).
     *
     * @param pem the PEM text
     * @return the certificate
     * @throws CertificateException no certificate, or a malformed one
     */
    public static ClientCert fromPem(byte[] pem) {
        return new ClientCert(nativeFromPem(Objects.requireNonNull(pem, "pem")));
    }

    /**
     * {@link #fromPem(byte[])} with the PEM text as a string.
     *
     * @param pem the PEM text
     * @return the certificate
     */
    public static ClientCert fromPem(String pem) {
        return fromPem(Objects.requireNonNull(pem, "pem").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Parses one DER certificate (nothing may follow it).
     *
     * @param der the DER encoding
     * @return the certificate
     * @throws CertificateException not a DER certificate
     */
    public static ClientCert fromDer(byte[] der) {
        return new ClientCert(nativeFromDer(Objects.requireNonNull(der, "der")));
    }

    <T> T with(LongFunction<T> body) {
        long p = handle.acquire();
        try {
            return body.apply(p);
        } finally {
            handle.release();
        }
    }

    /**
     * The subject as {@code openssl x509 -noout -subject -nameopt RFC2253} prints it, without
     * {@code subject=} (empty for a certificate without subject): what a Redis Software
     * certificate user's {@code certificate_subject_line} must equal.
     *
     * @return the RFC 2253 subject
     */
    public String subject() {
        return subject;
    }

    /**
     * The subject's first common name in DER order (the one Valkey's
     * {@code tls-auth-clients-user CN} uses).
     *
     * @return the common name, or empty
     */
    public Optional<String> commonName() {
        return Optional.ofNullable(commonName);
    }

    /**
     * The SAN e-mail addresses, in certificate order.
     *
     * @return an unmodifiable list
     */
    public List<String> sanEmails() {
        return sanEmails;
    }

    /**
     * The SAN DNS names, in certificate order.
     *
     * @return an unmodifiable list
     */
    public List<String> sanDns() {
        return sanDns;
    }

    /**
     * The SAN URIs, in certificate order.
     *
     * @return an unmodifiable list
     */
    public List<String> sanUris() {
        return sanUris;
    }

    /**
     * The SAN IP addresses as text ({@code 127.0.0.1}, {@code ::1}), in certificate order.
     *
     * @return an unmodifiable list
     */
    public List<String> sanIps() {
        return sanIps;
    }

    /**
     * The start of the validity period (notBefore).
     *
     * @return seconds since the Unix epoch
     */
    public long notBefore() {
        return notBefore;
    }

    /**
     * The end of the validity period (notAfter).
     *
     * @return seconds since the Unix epoch
     */
    public long notAfter() {
        return notAfter;
    }

    /**
     * True once {@link #close()} was called.
     *
     * @return whether it is closed
     */
    public boolean isClosed() {
        return handle.isClosed();
    }

    /** Frees the native certificate (idempotent). */
    @Override
    public void close() {
        cleanable.clean();
    }

    @Override
    public String toString() {
        return "ClientCert(" + subject + ")";
    }

    private static native long nativeFromPem(byte[] pem);

    private static native long nativeFromDer(byte[] der);

    private static native void nativeFree(long handle);

    private static native byte[] nativeProperties(long handle);
}
