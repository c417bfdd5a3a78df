//! Injectable failures of the refresh endpoint, so the client's handling of slow, broken,
//! lost and hijacked (HTML login page) refresh responses can be tested deterministically.
//!
//! A fault that does not rotate acts in front of the server logic, like a proxy would: the
//! presented token is not even looked at, so a client retrying it afterwards is not counted
//! in `refresh_tokens_seen_twice`.

use std::time::Duration;

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::reply;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    #[default]
    None,
    /// Sleep `latency_ms`, then answer normally.
    Latency,
    /// 500 without rotating.
    Error500,
    /// 503 with `Retry-After: 1` without rotating.
    Error503,
    /// Rotate, then never answer: the new token is lost in transit.
    DropAfterRotation,
    /// 200 with an HTML page (a login redirect followed by fetch) without rotating.
    Html,
    /// Never answer, without rotating.
    Hang,
}

/// Body of `POST /__test/faults`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRequest {
    pub refresh: Fault,
    pub latency_ms: Option<u64>,
    /// How many refresh calls the fault affects; absent means until cleared.
    pub times: Option<u64>,
}

/// The fault currently armed.
#[derive(Debug, Clone, Copy)]
pub struct FaultState {
    fault: Fault,
    latency_ms: u64,
    remaining: Option<u64>,
}

impl Default for FaultState {
    fn default() -> Self {
        FaultState { fault: Fault::None, latency_ms: 1000, remaining: None }
    }
}

impl FaultState {
    pub fn from_request(req: &FaultRequest) -> Self {
        if req.times == Some(0) {
            return FaultState::default();
        }
        FaultState {
            fault: req.refresh,
            latency_ms: req.latency_ms.unwrap_or(1000),
            remaining: req.times,
        }
    }

    /// The fault for this refresh call, consuming one of its `times`.
    pub fn take(&mut self) -> Armed {
        let armed = Armed { fault: self.fault, latency_ms: self.latency_ms };
        if let Some(n) = self.remaining.as_mut() {
            *n = n.saturating_sub(1);
            if *n == 0 {
                *self = FaultState::default();
            }
        }
        armed
    }
}

/// The fault applied to one refresh call.
#[derive(Debug, Clone, Copy)]
pub struct Armed {
    fault: Fault,
    latency_ms: u64,
}

impl Armed {
    /// Runs the part of the fault that comes before the server logic. `Some` is the response
    /// to send instead of handling the request; `hang` never returns.
    pub async fn before(self) -> Option<Response> {
        match self.fault {
            Fault::None | Fault::DropAfterRotation => None,
            Fault::Latency => {
                // tokio clamps absurd durations instead of panicking.
                tokio::time::sleep(Duration::from_millis(self.latency_ms)).await;
                None
            }
            Fault::Error500 => Some(reply::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "SERVER_ERROR",
                "Injected fault: internal server error.",
            )),
            Fault::Error503 => {
                let mut res = reply::error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "SERVICE_UNAVAILABLE",
                    "Injected fault: service unavailable.",
                );
                res.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
                Some(res)
            }
            Fault::Html => Some(
                Html("<html><head><title>Sign in</title></head><body>…login page…</body></html>")
                    .into_response(),
            ),
            Fault::Hang => std::future::pending().await,
        }
    }

    /// Runs the part of the fault that comes after a rotation: `drop_after_rotation` never
    /// returns, as if the response were lost.
    pub async fn after(self) {
        if self.fault == Fault::DropAfterRotation {
            std::future::pending::<()>().await;
        }
    }
}
