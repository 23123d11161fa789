use std::process::ExitCode;

use clap::Parser;
use igemoji::cli::{Cli, Command};
use igemoji::config::Settings;
use igemoji::error::error_chain;
use igemoji::startup::Application;
use igemoji::{database, telemetry};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("igemoji: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init_tracing(&settings.log);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("igemoji: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => {
                Application::build(settings)
                    .await?
                    .run_until_stopped()
                    .await
            }
            Command::Migrate => {
                let db = database::connect(&settings.database).await?;
                database::migrate(&db).await?;
                tracing::info!("migrations applied");
                Ok(())
            }
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("igemoji: {}", error_chain(error.as_ref()));
            ExitCode::FAILURE
        }
    }
}
