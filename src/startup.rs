//! Builds the application from settings: database, shared state, the public
//! HTTP server and the admin (metrics) server.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::http::StatusCode;
use actix_web::middleware::{Compress, ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use sea_orm::DatabaseConnection;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::analysis::{AnalysisPool, Analyzer};
use crate::config::{Settings, TaskSettings, resolve_jwt_secret};
use crate::emojis::{EmojisState, ListingCache, TemplateImageLimits, seed_builtin_templates};
use crate::faces::{FacesState, ServerIdentity, TaskWorkers, TemplateImageCache};
use crate::frontend::WebApp;
use crate::http::{ClientAddressPolicy, configure_extractors, json_method_not_allowed, not_found};
use crate::live::LiveState;
use crate::site::SiteConfig;
use crate::storage::MediaStore;
use crate::telemetry::{MetricsHandle, install_metrics_recorder, record_request};
use crate::throttle::Throttle;
use crate::users::{PasswordHasher, TokenKeys, UsersState};
use crate::{
    account, database, emojis, faces, frontend, health, live, openapi, ranking, site, storage,
    users,
};

/// Gallery and ranking responses are reused this long when another replica
/// may have changed them; this process's own changes show at once.
const LISTING_CACHE_TTL: Duration = Duration::from_secs(2);
/// Finished task ids a slow waiting request may fall behind by before it
/// re-reads its task instead.
const SETTLED_BACKLOG: usize = 256;
/// About fifty templates of built-in size (seven 20 KB PNGs each).
const TEMPLATE_IMAGE_CACHE_BYTES: u64 = 8 << 20;

pub struct Application {
    server: Server,
    admin_server: Server,
    port: u16,
    admin_port: u16,
    db: DatabaseConnection,
    faces: Arc<FacesState>,
    live: web::Data<LiveState>,
    task_workers: usize,
    shutdown_timeout: Duration,
}

/// Loads and optimises the models `settings.analysis` asks for.
pub fn load_analyzer(settings: &Settings) -> anyhow::Result<Analyzer> {
    Analyzer::load(
        &settings.analysis.models(),
        settings.analysis.limits(),
        settings.analysis.detection(),
        settings.analysis.expression_model,
    )
    .context("cannot load the face models (analysis.models_dir)")
}

impl Application {
    /// Connects, migrates and binds both listeners; serving starts with
    /// [`Application::run_until_stopped`]. Port 0 picks a free port.
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let analyzer = load_analyzer(&settings)?;
        Application::build_with(settings, Arc::new(analyzer)).await
    }

    /// [`Application::build`] with models already loaded (with
    /// [`load_analyzer`] for the same settings), so that tests starting
    /// many applications load and optimise them once.
    pub async fn build_with(
        settings: Settings,
        analyzer: Arc<Analyzer>,
    ) -> anyhow::Result<Application> {
        let jwt_secret = resolve_jwt_secret(&settings)?;
        let metrics = install_metrics_recorder()?;
        faces::export_counters_at_zero();
        let db = database::connect(&settings.database).await?;
        database::migrate(&db).await?;
        let store = MediaStore::from_settings(&settings.storage)?;
        let task_workers = settings.analysis.worker_count();
        let pool = AnalysisPool::new(analyzer, task_workers);

        let listings = Arc::new(ListingCache::new(LISTING_CACHE_TTL));
        let emojis_state = web::Data::new(EmojisState {
            db: db.clone(),
            store: store.clone(),
            pool: pool.clone(),
            image_limits: TemplateImageLimits {
                max_bytes: settings.emojis.max_image_bytes,
                max_side: settings.emojis.max_image_side,
                stored_side: settings.emojis.stored_side,
            },
            listings: Arc::clone(&listings),
        });
        seed_builtin_templates(&emojis_state, &settings.emojis.builtin_art()).await?;
        let identity =
            ServerIdentity::acquire(&settings.tasks.instance_dir).with_context(|| {
                format!(
                    "cannot keep this server's identity in tasks.instance_dir {}",
                    settings.tasks.instance_dir.display()
                )
            })?;
        faces::take_back_unfinished(&db, &identity).await?;
        let faces_state = Arc::new(FacesState {
            db: db.clone(),
            store: store.clone(),
            pool: pool.clone(),
            settings: TaskSettings {
                max_queued: settings.queue_limit(),
                ..settings.tasks.clone()
            },
            anonymous_throttle: Throttle::new(
                db.clone(),
                settings.tasks.anonymous_uploads,
                settings.tasks.anonymous_window,
            ),
            identity,
            wakeup: Arc::new(Notify::new()),
            settled: tokio::sync::broadcast::channel(SETTLED_BACKLOG).0,
            template_images: TemplateImageCache::new(TEMPLATE_IMAGE_CACHE_BYTES),
            admission: Default::default(),
            listings,
        });
        let faces_data = web::Data::from(Arc::clone(&faces_state));
        let live = web::Data::new(LiveState::new(pool, settings.live.clone()));
        let store_data = web::Data::new(store);

        let workers = settings.server.worker_count();
        let users_state = web::Data::new(UsersState {
            db: db.clone(),
            hasher: PasswordHasher::new(workers)?,
            tokens: TokenKeys::new(&jwt_secret, settings.auth.token_ttl)?,
            accounts: Default::default(),
            login_throttle: Throttle::new(
                db.clone(),
                settings.limits.login_max_failures,
                settings.limits.login_window,
            ),
        });
        let db_data = web::Data::new(db.clone());
        let client_policy = ClientAddressPolicy {
            trust_forwarded_for: settings.server.trust_forwarded_for,
            trusted_proxies: settings.server.trusted_proxies,
        };
        let json_limit = settings.limits.json_body_bytes;
        let web_app = web::Data::new(WebApp(settings.server.web_app()));
        let site_config = web::Data::new(SiteConfig::from_settings(&settings));

        let listener = TcpListener::bind(settings.server.bind)
            .with_context(|| format!("cannot listen on server.bind {}", settings.server.bind))?;
        let port = listener.local_addr()?.port();
        let live_data = live.clone();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(
                    ErrorHandlers::new()
                        .handler(StatusCode::METHOD_NOT_ALLOWED, json_method_not_allowed),
                )
                .wrap(Compress::default())
                .wrap(from_fn(record_request))
                .app_data(users_state.clone())
                .app_data(emojis_state.clone())
                .app_data(faces_data.clone())
                .app_data(live_data.clone())
                .app_data(store_data.clone())
                .app_data(db_data.clone())
                .app_data(client_policy)
                .app_data(web_app.clone())
                .app_data(site_config.clone())
                .configure(|cfg| configure_extractors(cfg, json_limit))
                .configure(health::configure)
                .configure(site::configure)
                .configure(users::configure)
                .configure(account::configure)
                .configure(ranking::configure)
                .configure(emojis::configure)
                .configure(live::configure)
                .configure(faces::configure)
                .configure(storage::configure)
                .configure(openapi::configure)
                .configure(frontend::configure)
        })
        .workers(workers)
        .shutdown_timeout(settings.server.shutdown_timeout.as_secs())
        .listen(listener)?
        .run();

        let admin_listener = TcpListener::bind(settings.admin.bind)
            .with_context(|| format!("cannot listen on admin.bind {}", settings.admin.bind))?;
        let admin_port = admin_listener.local_addr()?.port();
        let admin_server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(metrics.clone()))
                .route("/metrics", web::get().to(render_metrics))
                .default_service(web::to(not_found))
        })
        .workers(1)
        .listen(admin_listener)?
        .run();

        tracing::info!(
            address = %settings.server.bind.ip(), port, admin_port,
            public_url = %settings.server.public_url,
            "igemoji is listening"
        );
        crate::memory::release_start_up_memory();
        Ok(Application {
            server,
            admin_server,
            port,
            admin_port,
            db,
            faces: faces_state,
            live,
            task_workers,
            shutdown_timeout: settings.server.shutdown_timeout,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn admin_port(&self) -> u16 {
        self.admin_port
    }

    /// Serves and runs the task workers until SIGINT/SIGTERM: stops
    /// accepting, lets in-flight requests and tasks finish (up to
    /// `server.shutdown_timeout`), then closes the pool.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let workers = TaskWorkers::start(self.faces, self.task_workers);
        let admin_handle = self.admin_server.handle();
        let admin = tokio::spawn(self.admin_server);
        // actix stops accepting on SIGINT/SIGTERM, then waits for open
        // connections: live ones are told to go at once.
        let live = self.live.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            live.stop();
        });
        let served = self.server.await;
        self.live.stop();
        admin_handle.stop(true).await;
        let _ = admin.await;
        workers.stop(self.shutdown_timeout).await;
        if let Err(error) = self.db.close().await {
            tracing::warn!(error = %error, "closing the database pool failed");
        }
        tracing::info!("igemoji stopped");
        Ok(served?)
    }
}

/// SIGINT or SIGTERM, whichever comes first.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

async fn render_metrics(metrics: web::Data<MetricsHandle>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render())
}
