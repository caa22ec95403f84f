//! include/authgate.h must match what cbindgen generates from this crate.
//! `BLESS=1 cargo test -p authgate-ffi --test header` rewrites it.

use std::path::PathBuf;

#[test]
fn header_is_up_to_date() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let header = crate_dir.join("../../include/authgate.h");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header")
        .write(&mut generated);
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&header, &generated).expect("write include/authgate.h");
        return;
    }
    let committed = std::fs::read(&header).unwrap_or_default();
    assert!(
        committed == generated,
        "include/authgate.h is stale: run `BLESS=1 cargo test -p authgate-ffi --test header` (or `make header`)"
    );
}
