//! The RESP server.
