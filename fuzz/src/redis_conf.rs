//! redis.conf text (directives split as `sdssplitargs` does, every directive this server
//! knows), then the same checks `authgate serve` runs before it starts. Never panics; a
//! directive that fails reports Redis' FATAL CONFIG FILE ERROR block.

use authgate::server::Config;

/// One input of the target: returns normally or panics with what went wrong.
pub fn run(data: &[u8]) {
    let mut config = Config::default();
    match config.apply_text(data) {
        Ok(()) => {
            let _ = config.validate();
            let _ = config.aclfile_path();
        }
        Err(text) => assert!(
            text.starts_with("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"),
            "{text}"
        ),
    }
}
