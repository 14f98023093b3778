fn main() {
    std::process::exit(mz_presync::cli::main());
}
