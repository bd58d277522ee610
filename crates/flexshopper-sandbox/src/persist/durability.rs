//! Group commit: changes queue up in version order, one writer thread saves all that are
//! queued in one transaction, and each response waits until its own version is saved.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;

use crate::app::{AppState, lock};
use crate::error::ApiError;
use crate::store::Changes;

tokio::task_local! {
    /// The highest change version the current request produced (0: none).
    static WRITTEN: Cell<u64>;
}

/// How far saving got.
#[derive(Debug, Clone, Default)]
struct Saved {
    /// Every version up to this one is on disk.
    upto: u64,
    /// Versions up to this one were tried and failed (they are retried).
    failed_upto: u64,
    /// Why the last save failed; `None` once a save succeeded again.
    failing: Option<String>,
}

/// A change that could not be saved: the response says so instead of pretending.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "the sandbox could not save this change to its data file ({0}); it is kept in memory and retried, but would be lost if the sandbox stopped now"
)]
pub struct SaveError(pub String);

/// The handle requests use to queue changes and wait for them to be saved.
#[derive(Debug)]
pub struct Durability {
    /// `None` once closed: later changes are refused (503), never silently dropped.
    queue: Mutex<Option<mpsc::Sender<(u64, Changes)>>>,
    saved: watch::Receiver<Saved>,
    version: AtomicU64,
    writer: Mutex<Option<JoinHandle<()>>>,
}

/// How often a failed save is retried while no new changes arrive.
const RETRY_EVERY: Duration = Duration::from_secs(1);
/// Retries of a failing save once the sandbox is closing, before giving up (loudly).
const RETRIES_AT_CLOSE: u32 = 3;

impl Durability {
    /// Start the writer thread around `save` (one call per group of changes, in order).
    pub fn start(
        mut save: impl FnMut(&[Changes]) -> Result<(), String> + Send + 'static,
    ) -> Durability {
        let (queue, rx) = mpsc::channel::<(u64, Changes)>();
        let (tx, saved) = watch::channel(Saved::default());
        let writer = std::thread::Builder::new()
            .name("sandbox-writer".into())
            .spawn(move || {
                let mut pending: Vec<Changes> = Vec::new();
                let mut last = 0;
                let mut closing_retries = 0;
                loop {
                    let next = if pending.is_empty() {
                        rx.recv().ok()
                    } else {
                        match rx.recv_timeout(RETRY_EVERY) {
                            Ok(c) => Some(c),
                            Err(mpsc::RecvTimeoutError::Timeout) => None,
                            Err(mpsc::RecvTimeoutError::Disconnected) => {
                                closing_retries += 1;
                                if closing_retries > RETRIES_AT_CLOSE {
                                    tracing::error!(
                                        batches = pending.len(),
                                        "closing with changes that could not be saved; they are lost"
                                    );
                                    return;
                                }
                                std::thread::sleep(RETRY_EVERY);
                                None
                            }
                        }
                    };
                    if next.is_none() && pending.is_empty() {
                        return; // closed, and everything is saved
                    }
                    for (version, changes) in next.into_iter().chain(rx.try_iter()) {
                        last = version;
                        pending.push(changes);
                    }
                    match save(&pending) {
                        Ok(()) => {
                            pending.clear();
                            tx.send_modify(|s| {
                                s.upto = last;
                                s.failing = None;
                            });
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "saving sandbox state failed; retrying");
                            tx.send_modify(|s| {
                                s.failed_upto = last;
                                s.failing = Some(e);
                            });
                        }
                    }
                }
            })
            .expect("spawning the writer thread");
        Durability {
            queue: Mutex::new(Some(queue)),
            saved,
            version: AtomicU64::new(0),
            writer: Mutex::new(Some(writer)),
        }
    }

    /// Save what is queued and release the data file (the sandbox stops). Changes made
    /// afterwards are answered 503.
    pub fn close(&self) {
        drop(lock(&self.queue).take());
        if let Some(writer) = lock(&self.writer).take() {
            let _ = writer.join();
        }
    }

    /// Queue changes (called with the store locked, so versions follow the store's order)
    /// and note their version for the current request.
    pub fn submit(&self, changes: Changes) {
        let version = self.version.fetch_add(1, Ordering::SeqCst) + 1;
        // After `close` nothing saves it: the writer is gone and `wait` says so.
        if let Some(queue) = lock(&self.queue).as_ref() {
            let _ = queue.send((version, changes));
        }
        let _ = WRITTEN.try_with(|w| w.set(w.get().max(version)));
    }

    /// Changes made and saved so far (versions), and why saving fails if it does: what
    /// `GET /__sandbox/state` shows under `persistence`.
    pub fn status(&self) -> serde_json::Value {
        let saved = self.saved.borrow();
        serde_json::json!({
            "made": self.version.load(Ordering::SeqCst),
            "saved": saved.upto,
            "failing": saved.failing,
        })
    }

    /// Why saving fails right now, if it does.
    pub fn failing(&self) -> Option<String> {
        self.saved.borrow().failing.clone()
    }

    /// Wait until `version` is saved (or its save failed).
    pub async fn wait(&self, version: u64) -> Result<(), SaveError> {
        let mut saved = self.saved.clone();
        let state = saved
            .wait_for(|s| s.upto >= version || s.failed_upto >= version)
            .await
            .map_err(|_| SaveError("the sandbox is stopping".into()))?;
        if state.upto >= version {
            Ok(())
        } else {
            Err(SaveError(state.failing.clone().unwrap_or_default()))
        }
    }
}

/// Middleware: a response that follows a change is sent only once the change is saved;
/// while saves fail, requests that could change state are refused (503) so that nothing
/// more piles up in memory unsaved.
pub async fn durable_responses(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let Some(durability) = state.durability() else {
        return next.run(req).await;
    };
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if let Some(reason) = durability.failing().filter(|_| !reads) {
        return unavailable(&SaveError(reason));
    }
    let (response, version) = WRITTEN
        .scope(Cell::new(0), async {
            let response = next.run(req).await;
            (response, WRITTEN.with(Cell::get))
        })
        .await;
    if version == 0 {
        return response;
    }
    match durability.wait(version).await {
        Ok(()) => response,
        Err(e) => unavailable(&e),
    }
}

fn unavailable(e: &SaveError) -> Response {
    ApiError::plain(StatusCode::SERVICE_UNAVAILABLE, e.to_string()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    fn some_change() -> Changes {
        Changes {
            meta: Some("{}".into()),
            ..Changes::default()
        }
    }

    #[tokio::test]
    async fn a_failed_save_is_reported_then_retried_until_it_succeeds() {
        let disk_full = Arc::new(AtomicBool::new(true));
        let saved = Arc::new(Mutex::new(0usize));
        let (full, count) = (disk_full.clone(), saved.clone());
        let d = Durability::start(move |batches| {
            if full.load(Ordering::SeqCst) {
                return Err("database or disk is full".into());
            }
            *lock(&count) += batches.len();
            Ok(())
        });
        d.submit(some_change());
        let err = d.wait(1).await.unwrap_err();
        assert!(err.to_string().contains("disk is full"), "{err}");
        assert!(d.failing().is_some());
        disk_full.store(false, Ordering::SeqCst);
        d.submit(some_change());
        d.wait(2).await.expect("saved once the disk has room");
        assert_eq!(
            *lock(&saved),
            2,
            "the failed change was saved with the next"
        );
        assert!(d.failing().is_none());
        d.close();
    }

    #[tokio::test]
    async fn after_close_a_change_is_refused_not_lost_silently() {
        let d = Durability::start(|_| Ok(()));
        d.close();
        d.submit(some_change());
        assert!(d.wait(1).await.is_err());
    }
}
