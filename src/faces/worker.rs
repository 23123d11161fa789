//! The workers that take tasks from the database queue and run them on the
//! analysis pool. One loop per analysis thread; each loop claims a task only
//! when it can start it at once, so a claimed task never waits.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::FacesState;
use super::entity;
use super::inputs::{InputsError, TaskInputs, load_inputs};
use super::queue::{self, DONE, FAILED, Finished};
use super::render::{RenderError, Rendered, render};
use super::service::TaskFace;
use crate::analysis::AnalysisError;
use crate::error::error_chain;
use crate::storage::MediaKey;
use crate::telemetry::{
    ANALYSIS_CRASHES_TOTAL, ANALYSIS_DURATION_SECONDS, ANALYSIS_QUEUE_DEPTH, EXPRESSIONS_TOTAL,
    FACES_DETECTED_TOTAL, FACES_PER_PHOTO, TASKS_TOTAL,
};

/// The `status` label of `tasks_total` for an attempt that will be retried.
pub const RETRIED: &str = "retried";

/// How a task attempt ended when it did not succeed.
enum Failure {
    /// The input can never work (corrupt photo, template gone): fail now.
    Permanent { code: &'static str, message: String },
    /// It may work later (store or database down): retry after a pause.
    Transient(String),
    /// The code panicked on this photo. It would panic again, so the task
    /// fails at once and the panic is logged and counted for a developer.
    Crashed(String),
}

/// The running worker loops; [`TaskWorkers::stop`] ends them after their
/// current task.
pub struct TaskWorkers {
    stop: watch::Sender<bool>,
    loops: JoinSet<()>,
}

impl TaskWorkers {
    pub fn start(state: Arc<FacesState>, count: usize) -> TaskWorkers {
        let (stop, stopped) = watch::channel(false);
        let mut loops = JoinSet::new();
        for _ in 0..count.max(1) {
            loops.spawn(run_worker(Arc::clone(&state), stopped.clone()));
        }
        loops.spawn(super::retention::run_cleanup(state, stopped));
        TaskWorkers { stop, loops }
    }

    /// Waits up to `timeout` for the current tasks; unfinished ones are
    /// picked up again when their lease runs out.
    pub async fn stop(mut self, timeout: Duration) {
        let _ = self.stop.send(true);
        let finished = tokio::time::timeout(timeout, async {
            while self.loops.join_next().await.is_some() {}
        })
        .await;
        if finished.is_err() {
            tracing::warn!("task workers did not stop in time; their leases will expire");
            self.loops.abort_all();
        }
    }
}

async fn run_worker(state: Arc<FacesState>, mut stopped: watch::Receiver<bool>) {
    while !*stopped.borrow() {
        match queue::claim_next(&state.db, state.identity.id(), state.settings.lease).await {
            Ok(Some(task)) => {
                refresh_queue_depth(&state).await;
                let task_id = task.id.clone();
                run_task_guarded(&state, task).await;
                // Nobody waiting is not an error.
                let _ = state.settled.send(task_id);
            }
            Ok(None) => {
                refresh_queue_depth(&state).await;
                tokio::select! {
                    _ = state.wakeup.notified() => {}
                    _ = tokio::time::sleep(state.settings.poll_interval) => {}
                    _ = stopped.changed() => {}
                }
            }
            Err(error) => {
                tracing::warn!(error = %error, "claiming a task failed; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(state.settings.poll_interval) => {}
                    _ = stopped.changed() => {}
                }
            }
        }
    }
}

/// Sets `analysis_queue_depth` from the database, after a claim took a task
/// off the queue or found it empty.
async fn refresh_queue_depth(state: &FacesState) {
    if let Ok(waiting) = queue::queued_count(&state.db).await {
        metrics::gauge!(ANALYSIS_QUEUE_DEPTH).set(waiting as f64);
    }
}

/// A panic in one task fails that task, not the worker.
async fn run_task_guarded(state: &Arc<FacesState>, task: entity::Model) {
    let outcome = tokio::spawn({
        let state = Arc::clone(state);
        let task = task.clone();
        async move { run_task(&state, &task).await }
    })
    .await;
    let failure = match outcome {
        Ok(Ok(())) => return,
        Ok(Err(failure)) => failure,
        Err(error) => Failure::Crashed(error.to_string()),
    };
    let recorded = match failure {
        Failure::Crashed(panic) => {
            tracing::error!(task = %task.id, panic, "the analysis crashed on a task; it will not be retried");
            metrics::counter!(ANALYSIS_CRASHES_TOTAL).increment(1);
            metrics::counter!(TASKS_TOTAL, "status" => FAILED).increment(1);
            queue::fail(
                &state.db,
                &task,
                "analysis_crashed",
                "the analysis crashed on this photo; the error was logged for the developers",
            )
            .await
        }
        Failure::Permanent { code, message } => {
            tracing::warn!(task = %task.id, code, message, "task failed");
            metrics::counter!(TASKS_TOTAL, "status" => FAILED).increment(1);
            queue::fail(&state.db, &task, code, &message).await
        }
        Failure::Transient(message) if task.attempts >= state.settings.max_attempts as i32 => {
            tracing::error!(task = %task.id, message, "task failed on its last attempt");
            metrics::counter!(TASKS_TOTAL, "status" => FAILED).increment(1);
            queue::fail(
                &state.db,
                &task,
                "temporarily_unavailable",
                "the service could not finish this photo; please upload it again",
            )
            .await
        }
        Failure::Transient(message) => {
            tracing::warn!(task = %task.id, attempt = task.attempts, message, "task will be retried");
            metrics::counter!(TASKS_TOTAL, "status" => RETRIED).increment(1);
            let delay = Duration::from_secs(2u64.pow(task.attempts.clamp(0, 6) as u32));
            queue::retry_later(&state.db, &task, delay).await
        }
    };
    if let Err(error) = recorded {
        // The lease runs out and the task is claimed again.
        tracing::error!(task = %task.id, error = %error, "recording the task outcome failed");
    }
}

async fn run_task(state: &Arc<FacesState>, task: &entity::Model) -> Result<(), Failure> {
    let TaskInputs {
        original,
        emoji,
        templates,
    } = load_inputs(state, task)
        .await
        .map_err(|error| match error {
            InputsError::TemplateGone => Failure::Permanent {
                code: "template_deleted",
                message: "the emoji template was deleted before the photo was processed".into(),
            },
            InputsError::UploadGone => Failure::Permanent {
                code: "upload_missing",
                message: "the uploaded photo is no longer available".into(),
            },
            error => Failure::Transient(error.to_string()),
        })?;
    let rendered = {
        let work = state
            .pool
            .run(move |analyzer| Ok(render(analyzer, &original, &templates)));
        with_lease_renewal(state, task, work).await?
    };
    let rendered = match rendered {
        Ok(Ok(rendered)) => rendered,
        Ok(Err(error)) => return Err(render_failure(error)),
        Err(error) => return Err(pool_failure(error)),
    };
    store_and_finish(state, task, &emoji, rendered).await
}

/// Runs `work`, renewing the task's lease meanwhile so a long analysis is
/// not mistaken for a dead process.
async fn with_lease_renewal<T>(
    state: &FacesState,
    task: &entity::Model,
    work: impl Future<Output = T>,
) -> Result<T, Failure> {
    let every = state.settings.lease / 3;
    tokio::pin!(work);
    loop {
        tokio::select! {
            output = &mut work => return Ok(output),
            _ = tokio::time::sleep(every) => {
                match queue::renew_lease(&state.db, task, state.settings.lease).await {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!(task = %task.id, "lost the claim on a task"),
                    Err(error) => tracing::warn!(task = %task.id, error = %error, "renewing a lease failed"),
                }
            }
        }
    }
}

/// The pool itself failed: closed (shutting down) or the job panicked.
fn pool_failure(error: AnalysisError) -> Failure {
    match error {
        AnalysisError::Crashed(panic) => Failure::Crashed(panic),
        error => Failure::Transient(error.to_string()),
    }
}

fn render_failure(error: RenderError) -> Failure {
    match error {
        RenderError::Analysis(
            error @ (AnalysisError::ModelLoad { .. } | AnalysisError::Inference(_)),
        ) => Failure::Transient(error.to_string()),
        RenderError::Analysis(AnalysisError::Crashed(panic)) => Failure::Crashed(panic),
        RenderError::Analysis(error) => Failure::Permanent {
            code: error.code(),
            message: error.to_string(),
        },
        RenderError::Template { .. } => Failure::Permanent {
            code: "template_unreadable",
            message: "the emoji template's images could not be read".into(),
        },
        RenderError::Encode(error) => Failure::Permanent {
            code: "encode_failed",
            message: format!("the result image could not be written: {error}"),
        },
    }
}

async fn store_and_finish(
    state: &FacesState,
    task: &entity::Model,
    emoji: &crate::emojis::EmojiModel,
    mut rendered: Rendered,
) -> Result<(), Failure> {
    let claim = task.claimed_by.as_deref().unwrap_or("unclaimed");
    let key = |name: &str| {
        MediaKey::parse(&format!(
            "results/{}/{claim}-{name}.{}",
            task.id, rendered.images.extension
        ))
        .map_err(|message| Failure::Transient(message.to_string()))
    };
    let result_key = key("result")?;
    let thumbnail_key = key("thumb")?;
    let (result, thumbnail) = (
        Bytes::from(std::mem::take(&mut rendered.images.result)),
        Bytes::from(std::mem::take(&mut rendered.images.thumbnail)),
    );
    let stored = async {
        state.store.put(&result_key, result).await?;
        state.store.put(&thumbnail_key, thumbnail).await
    }
    .await;
    let forget_files = || async {
        let _ = state
            .store
            .delete_all(&[result_key.clone(), thumbnail_key.clone()])
            .await;
    };
    if let Err(error) = stored {
        forget_files().await;
        return Err(Failure::Transient(error.to_string()));
    }

    let analysis = &rendered.analysis;
    let mut faces = Vec::with_capacity(analysis.faces.len());
    for face in &analysis.faces {
        let emoji_url = crate::emojis::image_key(emoji, face.expression)
            .map(|key| state.store.url(&key))
            .map_err(|error| Failure::Transient(error_chain(&error)))?;
        faces.push(TaskFace {
            bounding_box: face.bounding_box,
            score: face.score,
            expression: face.expression,
            scores: face.scores,
            roll_degrees: face.roll_degrees,
            emoji_url,
            corrected: false,
            predicted: Some(face.expression),
            hidden: false,
        });
    }
    let finished = Finished {
        result_key: result_key.to_string(),
        thumbnail_key: thumbnail_key.to_string(),
        width: analysis.width,
        height: analysis.height,
        faces_json: serde_json::to_string(&faces)
            .map_err(|error| Failure::Transient(error.to_string()))?,
    };
    match queue::finish(&state.db, task, finished).await {
        Ok(true) => {
            state.listings.invalidate();
            record_metrics(&rendered);
            Ok(())
        }
        Ok(false) => {
            tracing::warn!(task = %task.id, "another worker took over this task; dropping this result");
            forget_files().await;
            Ok(())
        }
        Err(error) => {
            forget_files().await;
            Err(Failure::Transient(error.to_string()))
        }
    }
}

fn record_metrics(rendered: &Rendered) {
    let timings = &rendered.analysis.timings;
    for (stage, duration) in [
        ("decode", rendered.decode_time),
        ("detect", timings.detect),
        ("classify", timings.classify),
        ("compose", rendered.compose_time),
    ] {
        metrics::histogram!(ANALYSIS_DURATION_SECONDS, "stage" => stage)
            .record(duration.as_secs_f64());
    }
    let faces = &rendered.analysis.faces;
    metrics::counter!(FACES_DETECTED_TOTAL).increment(faces.len() as u64);
    metrics::histogram!(FACES_PER_PHOTO).record(faces.len() as f64);
    for face in faces {
        metrics::counter!(EXPRESSIONS_TOTAL, "expression" => face.expression.as_str()).increment(1);
    }
    metrics::counter!(TASKS_TOTAL, "status" => DONE).increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{
        AnalysisLimits, AnalysisPool, Analyzer, DetectionOptions, ExpressionModel,
    };
    use crate::bundle::{self, Files};

    fn pool() -> AnalysisPool {
        let analyzer = Analyzer::load(
            &Files::Bundled(bundle::MODELS),
            AnalysisLimits::default(),
            DetectionOptions::default(),
            ExpressionModel::default(),
        )
        .expect("models load");
        AnalysisPool::new(std::sync::Arc::new(analyzer), 1)
    }

    #[tokio::test]
    async fn a_job_that_panics_is_a_crash_that_is_never_retried() {
        let pool = pool();
        let error = pool
            .run(|_| -> Result<(), AnalysisError> { panic!("poisoned photo") })
            .await
            .expect_err("the job panicked");
        assert_eq!(error.code(), "analysis_crashed");
        match pool_failure(error) {
            Failure::Crashed(message) => assert!(message.contains("poisoned photo"), "{message}"),
            _ => panic!("a panic must not be retried"),
        }
        // The pool keeps working after a panic.
        let answer = pool.run(|_| Ok(42)).await.expect("a sound job runs");
        assert_eq!(answer, 42);
    }

    #[test]
    fn inference_errors_are_retried_but_a_crash_inside_the_render_is_not() {
        let retried = render_failure(RenderError::Analysis(AnalysisError::Inference(
            "out of memory".into(),
        )));
        assert!(matches!(retried, Failure::Transient(_)));
        let crashed = render_failure(RenderError::Analysis(AnalysisError::Crashed(
            "index out of bounds".into(),
        )));
        assert!(matches!(crashed, Failure::Crashed(_)));
    }
}
