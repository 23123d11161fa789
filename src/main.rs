use std::process::ExitCode;

use clap::Parser;
use igemoji::cli::{Cli, Command, run_analyze, run_health};
use igemoji::config::Settings;
use igemoji::error::error_chain;
use igemoji::startup::Application;
use igemoji::{database, telemetry};

#[global_allocator]
static ALLOCATOR: igemoji::memory::HugePagesForPhotos = igemoji::memory::HugePagesForPhotos;

fn main() -> ExitCode {
    igemoji::memory::limit_malloc_arenas();
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("igemoji: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init_tracing(&settings.log);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Analyze {
            photos,
            json,
            annotate,
        } => match run_analyze(&settings, &photos, json, annotate.as_ref()) {
            Ok(true) => Ok(()),
            Ok(false) => return ExitCode::from(1),
            Err(error) => Err(error),
        },
        Command::Health => run_health(&settings),
        Command::Openapi => igemoji::openapi::pretty_document().map(|json| println!("{json}")),
        Command::Serve => run_async(async move {
            Application::build(settings)
                .await?
                .run_until_stopped()
                .await
        }),
        Command::Migrate => run_async(async move {
            let db = database::connect(&settings.database).await?;
            database::migrate(&db).await?;
            tracing::info!("migrations applied");
            Ok(())
        }),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("igemoji: {}", error_chain(error.as_ref()));
            ExitCode::FAILURE
        }
    }
}

fn run_async(task: impl Future<Output = anyhow::Result<()>>) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(task)
}
