//! Gives the shared library the versioned soname `libauthgate.so.<major>` (from the crate
//! version), the name C programs linked with `-lauthgate` record and load at run time. The
//! Makefile installs `libauthgate_ffi.so` as `libauthgate.so.<version>` with the
//! `libauthgate.so.<major>` and `libauthgate.so` symlinks, as a C library is laid out.
fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets CARGO_PKG_VERSION_MAJOR");
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libauthgate.so.{major}");
    }
}
