package io.authgate;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A native pointer with safe, concurrent closing. Each call brackets its native work with
 * {@link #acquire()} / {@link #release()}; {@link #run()} (close) marks the handle closed and the
 * pointer is freed once no call is in flight, exactly once. A closed handle throws
 * {@link IllegalStateException} instead of reaching native code.
 *
 * <p>This object is also the {@link Cleaner} action of its owner: it must not refer back to
 * the owner, so a forgotten {@code close()} still frees the native memory.
 */
final class Handle implements Runnable {
    static final Cleaner CLEANER = Cleaner.create();

    private static final long CLOSED = Long.MIN_VALUE;

    private final String what;
    private final long ptr;
    private final LongConsumer free;
    /** In-flight calls, plus {@link #CLOSED} once closed. */
    private final AtomicLong state = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean freed = new AtomicBoolean();

    Handle(String what, long ptr, LongConsumer free) {
        this.what = what;
        this.ptr = ptr;
        this.free = free;
    }

    /**
     * Enters a call.
     *
     * @return the native pointer, valid until {@link #release()}
     * @throws IllegalStateException if closed
     */
    long acquire() {
        if (state.getAndIncrement() < 0) {
            release();
            throw new IllegalStateException(what + " is closed");
        }
        return ptr;
    }

    /** Leaves a call; frees the pointer if this was the last call after a close. */
    void release() {
        if (state.decrementAndGet() == CLOSED) {
            freeOnce();
        }
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Closes: idempotent; frees now, or when the last in-flight call returns. */
    @Override
    public void run() {
        if (closed.compareAndSet(false, true) && state.getAndAdd(CLOSED) == 0) {
            freeOnce();
        }
    }

    private void freeOnce() {
        if (freed.compareAndSet(false, true)) {
            free.accept(ptr);
        }
    }
}
