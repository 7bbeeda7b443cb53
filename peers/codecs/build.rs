fn main() {
    // Debian: libgsm1-dev and libopencore-amrnb-dev (./build.sh installs them).
    println!("cargo:rustc-link-lib=gsm");
    println!("cargo:rustc-link-lib=opencore-amrnb");
    println!("cargo:rerun-if-changed=build.rs");
}
