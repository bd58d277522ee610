//! Serving the router: an accept loop that owns every connection, so that a fault can
//! close one without a response, and that stops everything when the `Sandbox` drops.
//!
//! Hygiene for a long-running, shared sandbox: a header-read timeout (hyper's, driven by
//! hyper-util's Tokio timer), an idle timeout (a connection with no request in flight and
//! no traffic is closed gracefully), a connection limit (a semaphore: at the limit the
//! loop stops accepting and the kernel's backlog holds newcomers), and accept errors
//! (e.g. out of file descriptors) backed off instead of retried in a hot loop.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, watch};
use tower::ServiceExt;

use crate::admin_client::AdminClient;
use crate::config::{AdminAccess, SandboxConfig, ServerLimits};
use crate::faults::ConnectionKill;

/// A running sandbox; the server stops when this is dropped.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    base_url: String,
    admin_token: Option<String>,
    shutdown: watch::Sender<bool>,
    state: crate::app::AppState,
}

impl Drop for Sandbox {
    /// Stops accepting, and with a data file saves what is queued and releases the file,
    /// so that another sandbox may open it.
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(durability) = self.state.durability() {
            durability.close();
        }
    }
}

impl Sandbox {
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        if config.admin_access() == AdminAccess::Off {
            tracing::warn!(
                "admin API (/__sandbox) is off: this sandbox is shared (API keys or a \
                 non-loopback address) and no --admin-token / FLEXSHOPPER_SANDBOX_ADMIN_TOKEN is set"
            );
        }
        let limits = config.server;
        let admin_token = config.admin_token.clone();
        let state = crate::app::AppState::open(config).map_err(std::io::Error::other)?;
        let app = crate::router_for(state.clone());
        let (shutdown, rx) = watch::channel(false);
        tokio::spawn(accept_loop(listener, app, limits, rx));
        Ok(Sandbox {
            addr,
            base_url: format!("http://{addr}"),
            admin_token,
            shutdown,
            state,
        })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A typed client of this sandbox's admin API, with its admin token.
    pub fn admin(&self) -> AdminClient {
        AdminClient::new(self.base_url.clone(), self.admin_token.clone())
    }
}

const MIN_BACKOFF: Duration = Duration::from_millis(5);
const MAX_BACKOFF: Duration = Duration::from_secs(1);

async fn accept_loop(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    mut shutdown: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut backoff = MIN_BACKOFF;
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => return,
            },
            _ = shutdown.changed() => return,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    backoff = MIN_BACKOFF;
                    stream
                }
                Err(e) => {
                    // Out of file descriptors and the like: retrying at once would spin at
                    // full CPU and flood the log. Log once per back-off step, then wait.
                    if backoff == MIN_BACKOFF || backoff == MAX_BACKOFF {
                        tracing::warn!(error = %e, backoff_ms = backoff.as_millis() as u64, "accept failed; backing off");
                    }
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = shutdown.changed() => return,
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
            },
            _ = shutdown.changed() => return,
        };
        let app = app.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            serve_connection(stream, app, limits, shutdown).await;
            drop(permit);
        });
    }
}

async fn serve_connection(
    stream: TcpStream,
    app: Router,
    limits: ServerLimits,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::default());
    let io = Tracked {
        inner: stream,
        activity: activity.clone(),
    };
    let kill = Arc::new(Notify::new());
    let handle = ConnectionKill(kill.clone());
    let service = {
        let activity = activity.clone();
        hyper::service::service_fn(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(handle.clone());
            let guard = activity.request();
            let fut = app.clone().oneshot(req.map(axum::body::Body::new));
            async move {
                let resp = fut.await;
                drop(guard);
                resp
            }
        })
    };
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .serve_connection(TokioIo::new(io), service);
    let mut conn = std::pin::pin!(conn);
    let tick = (limits.idle_timeout / 4).max(Duration::from_millis(50));
    let mut closing = false;
    loop {
        tokio::select! {
            _ = conn.as_mut() => return,
            // Dropping the connection closes the socket without a response.
            _ = kill.notified() => return,
            _ = shutdown.changed() => return,
            _ = tokio::time::sleep(tick), if !closing => {
                if activity.idle_for() >= limits.idle_timeout {
                    // Finishes a response being written, then closes.
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
    }
}

/// When a connection last moved bytes, and how many requests it is serving.
#[derive(Debug)]
struct Activity {
    start: Instant,
    last_ms: AtomicU64,
    in_flight: AtomicU64,
}

impl Default for Activity {
    fn default() -> Self {
        Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
        }
    }
}

impl Activity {
    fn touch(&self) {
        let ms = self.start.elapsed().as_millis() as u64;
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        if self.in_flight.load(Ordering::Relaxed) > 0 {
            return Duration::ZERO;
        }
        let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(last)
    }

    fn request(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self.clone())
    }
}

struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A socket that records when bytes move.
struct Tracked {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl Tracked {
    /// Passes a write's outcome through, noting activity when bytes moved.
    fn wrote(&self, poll: Poll<std::io::Result<usize>>) -> Poll<std::io::Result<usize>> {
        if matches!(poll, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        poll
    }
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        poll
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write(cx, data);
        self.wrote(poll)
    }

    // Vectored like the socket itself: otherwise hyper copies every response body into
    // its header buffer before writing.
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let poll = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.wrote(poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
