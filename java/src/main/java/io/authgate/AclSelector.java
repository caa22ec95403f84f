package io.authgate;

/**
 * One selector of a user, as ACL GETUSER describes it.
 *
 * @param commands the command rules, e.g. {@code -@all +get}
 * @param keys key patterns joined by spaces ({@code ~*} for allkeys, empty if none)
 * @param channels channel patterns joined by spaces ({@code &*} for allchannels, empty if none)
 */
public record AclSelector(String commands, String keys, String channels) {
}
