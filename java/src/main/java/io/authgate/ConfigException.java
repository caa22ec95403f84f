package io.authgate;

/**
 * A configuration is invalid (code {@code CONFIG}): an aclfile that does not load (Redis' ACL
 * LOAD text, for example {@code ERR Error loading ACLs, opening file ...}), a redis.conf-style
 * file a {@link Server} is built from.
 */
public class ConfigException extends AuthgateException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception of this family.
     *
     * @param code the stable code
     * @param message core's text
     */
    public ConfigException(String code, String message) {
        super(code, message);
    }
}
