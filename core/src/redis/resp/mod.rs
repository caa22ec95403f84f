//! RESP2/RESP3 codec: the request parser of a server and the reply encoder.
//!
//! - [`parse`]: incremental multibulk and inline request parsing with Redis 7.0's limits and
//!   exact protocol error texts.
//! - [`split`]: `sdssplitargs`, used by inline commands and config files.
//! - [`encode`]: replies for RESP2 and RESP3.
//! - [`number`]: Redis' integer parsing and `%.17g` double formatting.

pub mod encode;
pub mod number;
pub mod parse;
pub mod split;

pub use encode::{Encoder, Protocol};
pub use parse::{Argv, ProtocolError, RequestParser};
pub use split::{quote_arg, split_args, UnbalancedQuotes};
