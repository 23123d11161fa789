use std::sync::Arc;

use tokio::sync::Semaphore;

use igemoji_engine::{Analysis, AnalysisError, Analyzer};

/// Runs analyses on tokio's blocking threads, at most `workers` at once, so
/// the async workers never stall and memory stays bounded.
#[derive(Clone)]
pub struct AnalysisPool {
    analyzer: Arc<Analyzer>,
    permits: Arc<Semaphore>,
}

impl AnalysisPool {
    pub fn new(analyzer: Arc<Analyzer>, workers: usize) -> AnalysisPool {
        AnalysisPool {
            analyzer,
            permits: Arc::new(Semaphore::new(workers.max(1))),
        }
    }

    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    pub async fn analyze(&self, bytes: Arc<[u8]>) -> Result<Analysis, AnalysisError> {
        self.run(move |analyzer| analyzer.analyze(&bytes)).await
    }

    /// Runs any CPU-bound job that needs the models on the bounded pool.
    pub async fn run<T, F>(&self, job: F) -> Result<T, AnalysisError>
    where
        F: FnOnce(&Analyzer) -> Result<T, AnalysisError> + Send + 'static,
        T: Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| AnalysisError::Inference("the analysis pool is closed".into()))?;
        let analyzer = Arc::clone(&self.analyzer);
        tokio::task::spawn_blocking(move || job(&analyzer))
            .await
            .map_err(|error| match error.try_into_panic() {
                Ok(payload) => AnalysisError::Crashed(panic_message(payload.as_ref())),
                Err(error) => AnalysisError::Inference(format!("analysis task failed: {error}")),
            })?
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|message| message.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}
