use std::process::ExitCode;

use clap::Parser;
use igemoji::cli::{Cli, Command, run_analyze};
use igemoji::config::Settings;
use igemoji::error::error_chain;
use igemoji::startup::Application;
use igemoji::{database, telemetry};

fn main() -> ExitCode {
    limit_malloc_arenas();
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

/// glibc gives every thread that contends for the heap an arena of its own,
/// up to eight per core, and raises its mmap threshold as big blocks are
/// freed, so decoded photos end up in arenas that keep their pages. Under
/// upload load that made peak memory 586 MB (bench/tasks-load.sh). Two
/// arenas, and photo-sized blocks always mapped (and so returned on free),
/// keep it near 200 MB. The threshold sits above the detector's 1-2 MB
/// scratch tensors: mapping and zeroing those on every run cost 3-4 ms a
/// pass (at 1 MiB the load ran 15.0 tasks/s, at 4 MiB 16.9). An operator's
/// own MALLOC_ARENA_MAX wins.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets allocator parameters; it is called
        // before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
            libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
        }
    }
}
