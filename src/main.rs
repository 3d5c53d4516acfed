fn main() -> std::process::ExitCode {
    scopien_hooks::main_entry()
}
