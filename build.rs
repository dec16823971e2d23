// The templates are built into the binary (src/templates.rs): rebuild when
// one is added, removed or changed.
fn main() {
    println!("cargo:rerun-if-changed=templates");
}
