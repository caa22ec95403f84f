package io.authgate;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * The base of every error authgate reports. Unchecked.
 *
 * <p>{@link #code()} is core's stable code string, the same in every language ({@code NOPERM},
 * {@code WRONGPASS}, {@code NOAUTH}, {@code ERR}, {@code NOT_FOUND}, {@code IO},
 * {@code INVALID_ARGUMENT}, {@code PANIC}, {@code CONFIG}, {@code AUTH}, {@code CERTIFICATE},
 * {@code CREDENTIAL}); {@link #getMessage()} is core's text, which is Redis' full error reply
 * where Redis has one (for example
 * {@code NOPERM this user has no permissions to run the 'del' command}).
 *
 * <p>Subclasses tell apart what callers act on: {@link PermissionDeniedException},
 * {@link AclException}, {@link AuthException}, {@link ConfigException},
 * {@link CertificateException}, {@link CredentialException}. The rest ({@code IO},
 * {@code INVALID_ARGUMENT}, {@code PANIC}, a bug caught at the native boundary) are this class.
 */
public class AuthgateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Core's stable code string. */
    private final String code;
    /** The operating system's error number of an {@code IO} error, when it gave one. */
    private Integer osError;
    /** A detail for logs, not for the reply (why an aclfile could not be written). */
    private String detail;

    /**
     * An exception with a stable code and a message.
     *
     * @param code the stable code
     * @param message the full message
     */
    public AuthgateException(String code, String message) {
        super(message);
        this.code = code;
    }

    /**
     * An exception with a stable code and a message that, when {@code writableStackTrace} is
     * false, captures no stack trace: for expected answers such as a permission denial, where
     * filling the stack would cost far more than the check that produced it.
     *
     * @param code the stable code
     * @param message the full message
     * @param writableStackTrace whether the stack trace is filled in
     */
    protected AuthgateException(String code, String message, boolean writableStackTrace) {
        super(message, null, true, writableStackTrace);
        this.code = code;
    }

    /**
     * The stable error code.
     *
     * @return e.g. {@code ERR}, {@code NOPERM}, {@code PANIC}
     */
    public String code() {
        return code;
    }

    /**
     * The operating system's error number ({@code errno}) of an {@code IO} error, such as
     * {@code EADDRINUSE} for a port in use.
     *
     * @return the number, or empty when the error has none
     */
    public OptionalInt osError() {
        return osError == null ? OptionalInt.empty() : OptionalInt.of(osError);
    }

    /**
     * A detail meant for logs rather than for the reply: why an aclfile could not be saved,
     * where {@link #getMessage()} is Redis' fixed text and Redis writes the reason to its log.
     *
     * @return the detail, or empty when the error has none
     */
    public Optional<String> detail() {
        return Optional.ofNullable(detail);
    }

    /** Set by the native side, before the exception is thrown, from core's error fields. */
    final void diagnose(boolean hasOsError, int osError, String detail) {
        this.osError = hasOsError ? osError : null;
        this.detail = detail;
    }
}
