fn main() {
    println!("cargo:rustc-link-lib=spandsp");
    println!("cargo:rerun-if-changed=build.rs");
}
