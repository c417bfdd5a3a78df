//! Control routes for tests and the demo: counters, faults, clock tricks (`/__test/...`)
//! and account administration (`/__admin/...`).
//!
//! They have no authentication: the server only ever listens on loopback, and these routes
//! are what lets a browser test provoke every server-side situation on demand.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::faults::{FaultRequest, FaultState};
use crate::random;
use crate::reply;
use crate::state::{AppState, Counters, Store};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/__test/counters", get(counters))
        .route("/__test/redirect", get(redirect))
        .route("/__test/reset", post(reset))
        .route("/__test/faults", post(faults))
        .route("/__test/expire-access", post(expire_access))
        .route("/__test/rotate-key", post(rotate_key))
        .route("/__test/access-ttl", post(access_ttl))
        .route("/__test/single-session", post(single_session))
        .route("/__admin/deactivate", post(deactivate))
        .route("/__admin/activate", post(activate))
        .route("/__admin/password", post(password))
        .route("/__admin/revoke", post(revoke))
        .layer(axum::middleware::from_fn(crate::guard::control_only))
}

/// A control request whose JSON body does not fit the route: answered with 400.
struct BadBody;

impl IntoResponse for BadBody {
    fn into_response(self) -> Response {
        reply::bad_request("The JSON body is not valid for this route.")
    }
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, BadBody> {
    serde_json::from_slice(body).map_err(|_| BadBody)
}

/// Parses a control request's JSON body and hands it to `handle`; a bad body is a 400.
fn with_body<T: DeserializeOwned>(body: &[u8], handle: impl FnOnce(T) -> Response) -> Response {
    match parse::<T>(body) {
        Ok(req) => handle(req),
        Err(bad) => bad.into_response(),
    }
}

fn done() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

async fn counters(State(state): State<AppState>) -> Response {
    let snapshot = state.lock().counters.clone();
    Json(snapshot).into_response()
}

/// `?to=URL` → 307 to that URL, for tests of cross-origin redirects. Only loopback targets are
/// accepted (parsed: scheme, host and port; see `guard::loopback_target`), so this test route
/// can never send anyone elsewhere.
async fn redirect(axum::extract::RawQuery(query): axum::extract::RawQuery) -> Response {
    let target = query.as_deref().and_then(|q| q.strip_prefix("to=")).unwrap_or("");
    if !crate::guard::loopback_target(target) {
        return (axum::http::StatusCode::BAD_REQUEST, "loopback targets only").into_response();
    }
    (
        axum::http::StatusCode::TEMPORARY_REDIRECT,
        [(axum::http::header::LOCATION, target.to_owned())],
    )
        .into_response()
}

/// Zeroes the counters and clears faults; users, families and tokens stay as they are.
async fn reset(State(state): State<AppState>) -> Response {
    let mut store = state.lock();
    store.counters = Counters::default();
    store.fault = FaultState::default();
    done()
}

async fn faults(State(state): State<AppState>, body: Bytes) -> Response {
    with_body(&body, |req: FaultRequest| {
        state.lock().fault = FaultState::from_request(&req);
        done()
    })
}

async fn expire_access(State(state): State<AppState>) -> Response {
    state.lock().expiry.expire_all(crate::jwt::now_secs());
    done()
}

async fn rotate_key(State(state): State<AppState>) -> Response {
    match random::key() {
        Ok(key) => {
            state.lock().key = key;
            done()
        }
        Err(_) => reply::server_error(),
    }
}

#[derive(Deserialize)]
struct Seconds {
    seconds: u64,
}

async fn access_ttl(State(state): State<AppState>, body: Bytes) -> Response {
    with_body(&body, |req: Seconds| {
        state.lock().access_ttl = req.seconds;
        done()
    })
}

#[derive(Deserialize)]
struct Enabled {
    enabled: bool,
}

async fn single_session(State(state): State<AppState>, body: Bytes) -> Response {
    with_body(&body, |req: Enabled| {
        state.lock().single_session = req.enabled;
        done()
    })
}

#[derive(Deserialize)]
struct Username {
    username: String,
}

#[derive(Deserialize)]
struct NewPassword {
    username: String,
    password: String,
}

/// Applies `change` to the named user: 204, or 404 NO_SUCH_USER.
fn with_user(state: &AppState, username: &str, change: impl FnOnce(&mut Store)) -> Response {
    let mut store = state.lock();
    if !store.users.contains_key(username) {
        return reply::error(StatusCode::NOT_FOUND, "NO_SUCH_USER", "There is no such user.");
    }
    change(&mut store);
    done()
}

/// Deactivation does not revoke families: it blocks the user while inactive, and
/// reactivation restores the existing sessions.
async fn deactivate(State(state): State<AppState>, body: Bytes) -> Response {
    with_body(&body, |req: Username| {
        with_user(&state, &req.username, |s| set_active(s, &req.username, false))
    })
}

async fn activate(State(state): State<AppState>, body: Bytes) -> Response {
    with_body(&body, |req: Username| {
        with_user(&state, &req.username, |s| set_active(s, &req.username, true))
    })
}

fn set_active(store: &mut Store, username: &str, active: bool) {
    if let Some(user) = store.users.get_mut(username) {
        user.active = active;
    }
}

/// A password change ends every session: bumps `token_version` (older access tokens die)
/// and revokes all families (older refresh tokens die).
async fn password(State(state): State<AppState>, body: Bytes) -> Response {
    with_body(&body, |req: NewPassword| {
        with_user(&state, &req.username, |s| {
            if let Some(user) = s.users.get_mut(&req.username) {
                user.password = req.password.clone();
                user.token_version = user.token_version.wrapping_add(1);
            }
            s.revoke_user(&req.username);
        })
    })
}

async fn revoke(State(state): State<AppState>, body: Bytes) -> Response {
    with_body(&body, |req: Username| {
        with_user(&state, &req.username, |s| s.revoke_user(&req.username))
    })
}
