package io.authgate;

/**
 * An ACL operation failed: a bad rule in {@code setuser}, deleting {@code default}, an unknown
 * user, command or category, an aclfile that does not load, and so on. The message is Redis'
 * error text, for example
 * {@code ERR Error in ACL SETUSER modifier 'badrule': Syntax error}.
 */
public class AclException extends AuthgateException {
    private static final long serialVersionUID = 1L;

    /**
     * An ACL error.
     *
     * @param code the stable code (usually {@code ERR})
     * @param message Redis' full error text
     */
    public AclException(String code, String message) {
        super(code, message);
    }
}
