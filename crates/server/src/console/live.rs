//! Live updates (`GET /console/events`): a server-sent event stream per open console page,
//! telling it which cases changed so it can refresh itself (`static/live.js`). One poller
//! per process reads the changes (`tierdesk_app::live`) once a second and fans them out;
//! each stream passes on only what its visitor may see. A stream ends after a few minutes
//! and the browser reconnects, so a session that ended stops being served.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream, StreamExt};
use tierdesk_app::App;
use tierdesk_app::live::{LiveEvent, Watcher};
use tierdesk_app::sessions::Person;
use tokio::sync::broadcast;

use super::Visit;
use crate::AppState;

pub(super) fn routes() -> Router<std::sync::Arc<AppState>> {
    Router::new().route("/console/events", get(events))
}

/// How often the poller reads the changes, and how long one stream lasts.
const POLL: Duration = Duration::from_secs(1);
const STREAM_LIFE: Duration = Duration::from_secs(300);

/// The process's fan-out of case changes to open streams.
pub(crate) struct Hub {
    tx: broadcast::Sender<Arc<LiveEvent>>,
    polling: AtomicBool,
}

impl Hub {
    pub(crate) fn new() -> Self {
        Self {
            tx: broadcast::channel(1024).0,
            polling: AtomicBool::new(false),
        }
    }

    /// A receiver of the changes from now on; the first starts the poller.
    fn subscribe(&self, app: &App) -> broadcast::Receiver<Arc<LiveEvent>> {
        let rx = self.tx.subscribe();
        if !self.polling.swap(true, Ordering::SeqCst) {
            tokio::spawn(poll(app.clone(), self.tx.clone()));
        }
        rx
    }
}

async fn poll(app: App, tx: broadcast::Sender<Arc<LiveEvent>>) {
    let mut cursor = None;
    loop {
        tokio::time::sleep(POLL).await;
        let cur = match &mut cursor {
            Some(c) => c,
            None => match app.live_cursor().await {
                Ok(c) => cursor.insert(c),
                Err(e) => {
                    tracing::warn!(error = %e, "live updates: cannot read where the logs stand");
                    continue;
                }
            },
        };
        match app.live_changes(cur).await {
            Ok(changes) => {
                for c in changes {
                    // No receiver is no error: nobody has a page open.
                    let _ = tx.send(Arc::new(c));
                }
            }
            Err(e) => tracing::warn!(error = %e, "live updates: cannot read the changes"),
        }
    }
}

async fn events(State(st): State<std::sync::Arc<AppState>>, v: Visit) -> Response {
    let watcher = match &v.person {
        Person::Customer { account, .. } => Watcher::Customer(account.id.clone()),
        Person::Agent(a) => match st.app.reach(a).await {
            Ok(r) => Watcher::Staff(r),
            Err(e) => return v.failure(&e),
        },
    };
    let rx = st.live.subscribe(&st.app);
    let until = tokio::time::Instant::now() + STREAM_LIFE;
    Sse::new(changes(rx, watcher, until))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// The events a watcher may see, as SSE `case` events, until `until`.
fn changes(
    rx: broadcast::Receiver<Arc<LiveEvent>>,
    watcher: Watcher,
    until: tokio::time::Instant,
) -> impl Stream<Item = Result<Event, std::convert::Infallible>> {
    // The first event tells the browser how soon to come back when the stream ends.
    let hello = Event::default()
        .retry(Duration::from_secs(1))
        .comment("live");
    stream::once(async move { Ok(hello) }).chain(stream::unfold(
        (rx, watcher),
        move |(mut rx, watcher)| async move {
            loop {
                let next = tokio::time::timeout_at(until, rx.recv()).await;
                match next {
                    Err(_) | Ok(Err(broadcast::error::RecvError::Closed)) => return None,
                    // Fell behind: tell the page to refresh everything it shows.
                    Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                        let e = Event::default().event("resync").data("{}");
                        return Some((Ok(e), (rx, watcher)));
                    }
                    Ok(Ok(c)) if c.visible_to(&watcher) => {
                        let data = serde_json::json!({
                            "kind": c.kind,
                            "case": c.case_id,
                            "alert": c.alert,
                        });
                        let e = Event::default().event("case").data(data.to_string());
                        return Some((Ok(e), (rx, watcher)));
                    }
                    Ok(Ok(_)) => {}
                }
            }
        },
    ))
}
