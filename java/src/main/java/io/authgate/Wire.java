package io.authgate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The byte layout shared with the native library: a list of byte strings, each a 4-byte
 * big-endian length followed by the bytes. Strings are UTF-8 (a lone surrogate becomes
 * {@code ?}, as {@link String#getBytes} does).
 */
final class Wire {
    private Wire() {
    }

    /** A growable buffer; one per thread for the hot paths ({@link #local()}). */
    static final class Packer {
        byte[] buf;
        int len;

        Packer(int capacity) {
            buf = new byte[capacity];
        }

        Packer reset() {
            len = 0;
            return this;
        }

        private void ensure(int extra) {
            int need = len + extra;
            if (need < 0) {
                throw new IllegalArgumentException("arguments too large");
            }
            if (need > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(need, buf.length * 2));
            }
        }

        private void putLength(int at, int n) {
            buf[at] = (byte) (n >>> 24);
            buf[at + 1] = (byte) (n >>> 16);
            buf[at + 2] = (byte) (n >>> 8);
            buf[at + 3] = (byte) n;
        }

        Packer add(byte[] item) {
            Objects.requireNonNull(item, "argument must not be null");
            ensure(4 + item.length);
            putLength(len, item.length);
            System.arraycopy(item, 0, buf, len + 4, item.length);
            len += 4 + item.length;
            return this;
        }

        Packer add(String s) {
            Objects.requireNonNull(s, "argument must not be null");
            int n = s.length();
            ensure(4 + 3 * n);
            int start = len + 4;
            int p = start;
            byte[] b = buf;
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    b[p++] = (byte) c;
                } else if (c < 0x800) {
                    b[p++] = (byte) (0xC0 | (c >> 6));
                    b[p++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isHighSurrogate(c) && i + 1 < n
                        && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    b[p++] = (byte) (0xF0 | (cp >> 18));
                    b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    b[p++] = (byte) (0x80 | (cp & 0x3F));
                } else if (Character.isSurrogate(c)) {
                    b[p++] = (byte) '?';
                } else {
                    b[p++] = (byte) (0xE0 | (c >> 12));
                    b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    b[p++] = (byte) (0x80 | (c & 0x3F));
                }
            }
            putLength(len, p - start);
            len = p;
            return this;
        }

        Packer addAll(String[] items) {
            Objects.requireNonNull(items, "arguments must not be null");
            for (String s : items) {
                add(s);
            }
            return this;
        }

        Packer addAll(byte[][] items) {
            Objects.requireNonNull(items, "arguments must not be null");
            for (byte[] s : items) {
                add(s);
            }
            return this;
        }

        /** An exact-size copy, for calls that take a whole array. */
        byte[] toArray() {
            return java.util.Arrays.copyOf(buf, len);
        }
    }

    private static final ThreadLocal<Packer> LOCAL = ThreadLocal.withInitial(() -> new Packer(256));

    /** This thread's reusable packer, emptied. Not reentrant: use it for one call at a time. */
    static Packer local() {
        return LOCAL.get().reset();
    }

    /** A fresh packer. */
    static Packer packer() {
        return new Packer(64);
    }

    static byte[] utf8(String s) {
        return Objects.requireNonNull(s, "argument must not be null").getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a packed buffer from the native side. */
    static final class Reader {
        private final byte[] data;
        private int pos;

        Reader(byte[] data) {
            this.data = data;
        }

        boolean hasMore() {
            return pos < data.length;
        }

        String next() {
            int n = ((data[pos] & 0xFF) << 24) | ((data[pos + 1] & 0xFF) << 16)
                    | ((data[pos + 2] & 0xFF) << 8) | (data[pos + 3] & 0xFF);
            String s = new String(data, pos + 4, n, StandardCharsets.UTF_8);
            pos += 4 + n;
            return s;
        }

        byte[] nextBytes() {
            int n = ((data[pos] & 0xFF) << 24) | ((data[pos + 1] & 0xFF) << 16)
                    | ((data[pos + 2] & 0xFF) << 8) | (data[pos + 3] & 0xFF);
            byte[] b = java.util.Arrays.copyOfRange(data, pos + 4, pos + 4 + n);
            pos += 4 + n;
            return b;
        }

        int nextInt() {
            return Integer.parseInt(next());
        }

        List<String> list() {
            int n = nextInt();
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(next());
            }
            return out;
        }
    }

    static List<String> strings(byte[] data) {
        Reader r = new Reader(data);
        List<String> out = new ArrayList<>();
        while (r.hasMore()) {
            out.add(r.next());
        }
        return List.copyOf(out);
    }
}
