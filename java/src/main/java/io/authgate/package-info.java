/**
 * authgate for Java: the Redis 7.0 ACL engine ({@link io.authgate.Acl}) and a RESP server
 * ({@link io.authgate.Server}) backed by a native library that ships inside this jar.
 *
 * <p>Errors are unchecked: {@link io.authgate.AuthgateException} with a stable
 * {@code code()}, and its subclasses {@link io.authgate.AclException} and
 * {@link io.authgate.PermissionDeniedException}. Messages are Redis' texts.
 */
package io.authgate;
