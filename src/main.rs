fn main() -> std::process::ExitCode {
    dblint::cli::main()
}
