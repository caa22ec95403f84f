package io.authgate;

/**
 * The base of every error the authgate engine reports. Unchecked.
 *
 * <p>{@link #code()} is a stable code ({@code ERR}, {@code NOPERM}, {@code PANIC}, a server
 * start failure's {@code INVALID_CONFIG} / {@code ACL} / {@code IO}); {@link #getMessage()} is
 * the text Redis would send, code included (for example
 * {@code NOPERM this user has no permissions to run the 'del' command}).
 */
public class AuthgateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String code;

    /**
     * An exception with a stable code and Redis' message text.
     *
     * @param code the stable code
     * @param message the full message
     */
    public AuthgateException(String code, String message) {
        super(message);
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
}
