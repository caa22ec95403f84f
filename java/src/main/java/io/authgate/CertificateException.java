package io.authgate;

/**
 * A certificate could not be parsed, verified or mapped to a user (code {@code CERTIFICATE}).
 */
public class CertificateException extends AuthgateException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception of this family.
     *
     * @param code the stable code
     * @param message core's text
     */
    public CertificateException(String code, String message) {
        super(code, message);
    }
}
