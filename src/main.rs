//! Thin entry point: parse the command line, dispatch, turn failures into exit codes.

use std::process::ExitCode;

use clap::Parser;
use deepscope::cli::{Cli, CliError, SAMPLE_DB, run_command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    let result = match cli.command {
        Some(command) => run_command(command, &mut stdout),
        None => {
            let db = cli.db.unwrap_or_else(|| SAMPLE_DB.into());
            deepscope::cli::open_viewer(&db, &mut stdout)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            match &e {
                CliError::Input(msg) => eprintln!("deepscope: {msg}"),
                CliError::Internal(msg) => eprintln!("deepscope: internal error: {msg}"),
                CliError::Reported | CliError::OutputClosed => {}
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
