package io.authgate;

/**
 * An ACL operation failed (code {@code ERR}, or {@code NOT_FOUND} for an unknown user): a bad
 * rule in {@code setuser}, deleting {@code default}, an unknown command or category, a wrong
 * arity. The message is Redis' error text, for example
 * {@code ERR Error in ACL SETUSER modifier 'badrule': Syntax error}.
 */
public class AclException extends AuthgateException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception of this family.
     *
     * @param code the stable code
     * @param message core's text
     */
    public AclException(String code, String message) {
        super(code, message);
    }
}
