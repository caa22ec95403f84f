//! File I/O a command does off the event loop: ACL SAVE, ACL LOAD and CONFIG REWRITE open,
//! read, write, fsync and rename on tokio's blocking pool, so a slow disk stalls neither the
//! event loop nor the other clients.

use crate::redis::server::session::Session;

/// A command's file I/O running on the blocking pool; its result is `Ok` (the command's
/// `+OK`) or the error reply's text. The connection that issued it awaits
/// [`FileJob::finish`] right after the command, before executing the next one of its
/// pipeline, so its replies stay in order.
pub(crate) struct FileJob(tokio::task::JoinHandle<Result<(), Vec<u8>>>);

impl FileJob {
    /// Runs `work` on the blocking pool, or at once inside EXEC (whose replies form one
    /// array, in order, so its file I/O runs in the connection task, as Redis runs it).
    pub(crate) fn start(s: &mut Session, work: impl FnOnce() -> Result<(), Vec<u8>> + Send + 'static) {
        if s.in_exec {
            FileJob::reply(s, work());
        } else {
            s.file_job = Some(FileJob(tokio::task::spawn_blocking(work)));
        }
    }

    /// Waits for the file I/O and encodes its reply into the session's output.
    pub(crate) async fn finish(self, s: &mut Session) {
        match self.0.await {
            Ok(result) => FileJob::reply(s, result),
            // The job panicked: unwind in the connection task as if it had run there.
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }

    fn reply(s: &mut Session, result: Result<(), Vec<u8>>) {
        match result {
            Ok(()) => s.out.ok(),
            Err(text) => s.out.error(&text),
        }
    }
}
