//! Redis ACL engine.
