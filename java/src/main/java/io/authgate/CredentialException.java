package io.authgate;

import java.util.OptionalLong;

/**
 * A credential-store operation failed (code {@code CREDENTIAL}), with Milvus' numeric error
 * code beside the string code when the source system has one.
 */
public class CredentialException extends AuthgateException {
    private static final long serialVersionUID = 1L;

    /** Whether the error carries Milvus' code. */
    private final boolean hasMilvusCode;
    /** Milvus' code, when {@link #hasMilvusCode}. */
    private final long milvusCode;

    /**
     * A credential error without a numeric code.
     *
     * @param code the stable code
     * @param message core's text
     */
    public CredentialException(String code, String message) {
        super(code, message);
        this.hasMilvusCode = false;
        this.milvusCode = 0;
    }

    /**
     * A credential error with Milvus' numeric code.
     *
     * @param code the stable code
     * @param message core's text
     * @param milvusCode Milvus' error code
     */
    public CredentialException(String code, String message, long milvusCode) {
        super(code, message);
        this.hasMilvusCode = true;
        this.milvusCode = milvusCode;
    }

    /**
     * Milvus' numeric error code.
     *
     * @return the code, or empty when the error has none
     */
    public OptionalLong milvusCode() {
        return hasMilvusCode ? OptionalLong.of(milvusCode) : OptionalLong.empty();
    }
}
