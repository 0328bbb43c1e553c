//! Thin entry point: parse the command line, run a subcommand or open the viewer, and turn
//! a failure into its one line on stderr and its exit code.

// In the program a failure is an error, not a panic (clippy.toml allows unwrap in tests;
// the integration tests under tests/ are crates of their own and may use it).
#![deny(clippy::unwrap_used)]

use std::process::ExitCode;

use clap::Parser;
use deepscope::cli::{Cli, SAMPLE_DB, run_command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(command) => run_command(command, &mut std::io::stdout().lock()),
        None => {
            let db = cli.db.unwrap_or_else(|| SAMPLE_DB.into());
            deepscope::tui::open(&db, cli.images)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(message) = e.message() {
                eprintln!("deepscope: {message}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}
