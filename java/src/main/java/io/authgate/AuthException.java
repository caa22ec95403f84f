package io.authgate;

/**
 * A login was refused: {@code WRONGPASS} (wrong user name or password), {@code NOAUTH}
 * (authentication required first) or {@code AUTH} (a non-Redis scheme refused the login, as
 * NATS' Authorization Violation).
 */
public class AuthException extends AuthgateException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception of this family.
     *
     * @param code the stable code
     * @param message core's text
     */
    public AuthException(String code, String message) {
        super(code, message);
    }
}
