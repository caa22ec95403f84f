/**
 * authgate for Java: the Redis 7.0 ACL engine ({@link io.authgate.Acl}) and a RESP server
 * ({@link io.authgate.Server}) backed by a native library that ships inside this jar, and
 * nats-server 2.9.10's client authentication ({@link io.authgate.NatsAuth}, whose logins give
 * a {@link io.authgate.NatsIdentity}).
 *
 * <p>Errors are unchecked: {@link io.authgate.AuthgateException} with core's stable
 * {@code code()} string (the same in every language) and core's message, and its subclasses
 * {@link io.authgate.PermissionDeniedException} ({@code NOPERM}),
 * {@link io.authgate.AclException} ({@code ERR}, {@code NOT_FOUND}),
 * {@link io.authgate.AuthException} ({@code WRONGPASS}, {@code NOAUTH}, {@code AUTH}),
 * {@link io.authgate.ConfigException}, {@link io.authgate.CertificateException} and
 * {@link io.authgate.CredentialException}. A panic inside the native library surfaces as an
 * {@code AuthgateException} with code {@code PANIC}; the JVM keeps running.
 */
package io.authgate;
