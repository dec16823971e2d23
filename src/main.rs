use clap::Parser;

fn main() {
    // A missing .env is normal; a malformed one is worth saying.
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("warning: .env not read: {e}");
        }
    }
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let cli = rightsdesk::cli::Cli::parse();
    std::process::exit(rightsdesk::cli::run(cli));
}
