//! Per-thread pools of I/O buffers, lent to a connection only while it has input or output.
//!
//! An idle connection should hold no buffer. Redis gets there by allocating a client's 16 KiB
//! query buffer on its first read and freeing it from the client cron once the client has been
//! idle for two seconds; here a connection borrows a buffer from its thread's pool when its
//! socket is readable or it has replies to encode, and hands it back as soon as the buffer is
//! empty again, so 10,000 idle connections share the few buffers each runtime thread keeps.
//! A connection keeps its buffer only across what genuinely needs it: a partial request
//! waiting for the rest of its bytes, or replies the socket has not accepted yet.

use std::cell::RefCell;

/// Capacity of a freshly allocated buffer: a read's granularity, and Redis' reply buffer size.
pub(crate) const BUFFER_CAPACITY: usize = 16 * 1024;
/// Buffers grown past this (a big request or reply) are freed rather than kept in the pool.
const MAX_POOLED_CAPACITY: usize = 64 * 1024;
/// Buffers kept per thread. A thread uses at most two at a time between awaits (one query
/// buffer, one reply buffer); the rest covers connections that keep theirs while they wait.
const MAX_POOLED: usize = 16;

thread_local! {
    static POOL: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// Makes sure `buf` has room to work with: an unallocated buffer borrows one from the pool.
pub(crate) fn lend(buf: &mut Vec<u8>) {
    if buf.capacity() == 0 {
        // `try_with`: a connection dropped while its thread shuts down finds no pool.
        *buf = POOL
            .try_with(|p| p.borrow_mut().pop())
            .ok()
            .flatten()
            .unwrap_or_else(|| Vec::with_capacity(BUFFER_CAPACITY));
    }
}

/// Gives `buf` back if it is empty (it then holds no allocation); a non-empty buffer stays.
pub(crate) fn reclaim(buf: &mut Vec<u8>) {
    if !buf.is_empty() || buf.capacity() == 0 {
        return;
    }
    let buf = std::mem::take(buf);
    if !(BUFFER_CAPACITY..=MAX_POOLED_CAPACITY).contains(&buf.capacity()) {
        return;
    }
    let _ = POOL.try_with(|p| {
        let mut pool = p.borrow_mut();
        if pool.len() < MAX_POOLED {
            pool.push(buf);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_buffer_goes_back_and_is_lent_again() {
        let mut a = Vec::new();
        lend(&mut a);
        assert!(a.capacity() >= BUFFER_CAPACITY);
        let ptr = a.as_ptr();
        reclaim(&mut a);
        assert_eq!(a.capacity(), 0, "an empty buffer holds no allocation once reclaimed");
        let mut b = Vec::new();
        lend(&mut b);
        assert_eq!(b.as_ptr(), ptr, "the pooled buffer is reused");
        reclaim(&mut b);
    }

    #[test]
    fn a_buffer_with_pending_bytes_is_kept() {
        let mut a = Vec::new();
        lend(&mut a);
        a.extend_from_slice(b"*1\r\n$4\r\nPI");
        reclaim(&mut a);
        assert_eq!(a, b"*1\r\n$4\r\nPI");
        a.clear();
        reclaim(&mut a);
    }

    #[test]
    fn an_overgrown_buffer_is_freed_not_pooled() {
        let mut big = Vec::with_capacity(MAX_POOLED_CAPACITY * 2);
        reclaim(&mut big);
        assert_eq!(big.capacity(), 0);
        POOL.with(|p| assert!(p.borrow().iter().all(|b| b.capacity() <= MAX_POOLED_CAPACITY)));
    }
}
