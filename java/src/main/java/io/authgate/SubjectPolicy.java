package io.authgate;

import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Redis Software's mTLS subject check, applied to a certificate whose chain was already
 * verified (core's {@code tls::SubjectPolicy}): the validation type is
 * {@code mtls_client_cert_subject_validation_type} ({@code disabled}, {@code san_cn},
 * {@code full_subject}) and the authorized subjects are {@code mtls_authorized_subjects}, each
 * written as a DN ({@code CN=alice,OU=Platform,OU=Engineering,O=Acme Corp}: CN required and
 * once; O, L, ST, C at most once; OU any number of times, compared as a set).
 *
 * <pre>{@code
 * try (SubjectPolicy policy = new SubjectPolicy("san_cn", List.of("CN=alice"))) {
 *     policy.check(cert);   // throws CertificateException when refused
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe; {@link #close()} frees it (a {@link Cleaner} does it for a
 * forgotten one).
 */
public final class SubjectPolicy implements AutoCloseable {
    static {
        NativeLib.ensureLoaded();
    }

    private final Handle handle;
    private final Cleaner.Cleanable cleanable;
    private final String validation;

    /** Core's default policy ({@code disabled}: every verified certificate passes). */
    public SubjectPolicy() {
        this(null, List.of());
    }

    /**
     * A policy.
     *
     * @param validation the validation type, or null for core's default ({@code disabled})
     * @param authorizedSubjects the authorized subjects as DN strings
     * @throws CertificateException an unknown validation type or a subject core refuses
     */
    public SubjectPolicy(String validation, List<String> authorizedSubjects) {
        Objects.requireNonNull(authorizedSubjects, "authorizedSubjects");
        Wire.Packer p = Wire.packer().add(validation == null ? "" : validation);
        for (String s : authorizedSubjects) {
            p.add(Objects.requireNonNull(s, "authorized subject"));
        }
        long ptr = nativeNew(p.toArray());
        this.handle = new Handle("SubjectPolicy", ptr, SubjectPolicy::nativeFree);
        this.cleanable = Handle.CLEANER.register(this, handle);
        long h = handle.acquire();
        try {
            this.validation = new String(nativeValidation(h), StandardCharsets.UTF_8);
        } finally {
            handle.release();
        }
    }

    /**
     * The validation type as Redis Software writes it.
     *
     * @return {@code disabled}, {@code san_cn} or {@code full_subject}
     */
    public String validation() {
        return validation;
    }

    /**
     * Returns when {@code cert} passes.
     *
     * @param cert the client's certificate (its chain already verified)
     * @throws CertificateException refused; the message names, for each authorized subject,
     *     the attribute that differs
     * @throws IllegalStateException if the policy or the certificate is closed
     */
    public void check(ClientCert cert) {
        Objects.requireNonNull(cert, "cert");
        long p = handle.acquire();
        try {
            cert.with(c -> {
                nativeCheck(p, c);
                return null;
            });
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

    /** Frees the policy (idempotent). */
    @Override
    public void close() {
        cleanable.clean();
    }

    private static native long nativeNew(byte[] packed);

    private static native void nativeFree(long handle);

    private static native byte[] nativeValidation(long handle);

    private static native void nativeCheck(long handle, long cert);
}
