package io.authgate;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The options of {@link Acl#fromStore(String, AclStoreOptions)} besides the store's address,
 * each a file (null: not used). Immutable; {@link #none()} has none set: no cache file, plain
 * HTTP to etcd. Core checks them and reads the TLS files when the engine attaches.
 *
 * <pre>{@code
 * AclStoreOptions opts = AclStoreOptions.none().withCacheFile(Path.of("/var/lib/app/acl.cache"));
 * try (Acl acl = Acl.fromStore("etcd://10.0.0.5:2379/fleet", opts)) { ... }
 * }</pre>
 *
 * @param cacheFile where the last state seen is kept, to start from while etcd is unreachable
 *     (without one, an unreachable etcd at start is an error)
 * @param caFile PEM of the CA that signed etcd's certificate (TLS to etcd)
 * @param certFile PEM of a client certificate for etcd's {@code --client-cert-auth} (with
 *     {@code keyFile})
 * @param keyFile PEM of the client certificate's key (with {@code certFile})
 */
public record AclStoreOptions(Path cacheFile, Path caFile, Path certFile, Path keyFile) {
    /**
     * No option set.
     *
     * @return options with every file null
     */
    public static AclStoreOptions none() {
        return new AclStoreOptions(null, null, null, null);
    }

    /**
     * A copy with a cache file.
     *
     * @param path the cache file
     * @return the new options
     */
    public AclStoreOptions withCacheFile(Path path) {
        return new AclStoreOptions(Objects.requireNonNull(path, "path"), caFile, certFile, keyFile);
    }

    /**
     * A copy with the CA of etcd's certificate.
     *
     * @param path a PEM file
     * @return the new options
     */
    public AclStoreOptions withCaFile(Path path) {
        return new AclStoreOptions(cacheFile, Objects.requireNonNull(path, "path"), certFile, keyFile);
    }

    /**
     * A copy with a client certificate (give its key with {@link #withKeyFile(Path)}).
     *
     * @param path a PEM file
     * @return the new options
     */
    public AclStoreOptions withCertFile(Path path) {
        return new AclStoreOptions(cacheFile, caFile, Objects.requireNonNull(path, "path"), keyFile);
    }

    /**
     * A copy with the client certificate's key.
     *
     * @param path a PEM file
     * @return the new options
     */
    public AclStoreOptions withKeyFile(Path path) {
        return new AclStoreOptions(cacheFile, caFile, certFile, Objects.requireNonNull(path, "path"));
    }

    /** The options set, as name/path pairs by their vocabulary names, for the native side. */
    byte[] packed() {
        Wire.Packer w = Wire.packer();
        String[] names = {"cache_file", "ca_file", "cert_file", "key_file"};
        Path[] paths = {cacheFile, caFile, certFile, keyFile};
        for (int i = 0; i < names.length; i++) {
            if (paths[i] != null) {
                w.add(Wire.utf8(names[i])).add(Wire.utf8(paths[i].toString()));
            }
        }
        return w.toArray();
    }
}
