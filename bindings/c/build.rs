//! Gives the shared library the soname `libauthgate.so`, the name C programs link against
//! (`-lauthgate`); the Makefile copies `libauthgate_ffi.so` to that name.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libauthgate.so");
    }
}
