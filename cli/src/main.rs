//! `tracefault`: the command. Everything it does is in the library; this only plumbs.

fn main() -> std::process::ExitCode {
    tracefault_cli::main(std::env::args_os())
}
