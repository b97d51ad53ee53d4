//! `openapi/openapi.yaml` must be exactly what the server generates.

#[test]
fn checked_in_spec_matches_the_server() {
    let generated = api::routes::spec_yaml();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.yaml");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).expect("write openapi.yaml");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "openapi/openapi.yaml is out of date with the server's spec. Regenerate it with:\n  \
         UPDATE_OPENAPI=1 cargo test -p tests --test it openapi\n(or `cargo run -p api -- openapi > openapi/openapi.yaml`)"
    );
}
