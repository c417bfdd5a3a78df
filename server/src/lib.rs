//! Reference auth server for tokenflight.
//!
//! It exists so the browser library can be tested against a server that behaves like a real
//! one: HS256 access tokens, single-use rotating refresh tokens with reuse detection, one
//! precise rejection code per failure, and switchable faults for the refresh endpoint.
//!
//! The [`Router`] is built here (not in `main.rs`) so the integration tests can drive it
//! in-process with `tower::ServiceExt::oneshot`, without sockets.

mod api;
mod bounded;
mod control;
mod csrf;
mod faults;
mod guard;
mod jwt;
mod log;
mod random;
mod refresh;
mod reply;
mod state;
mod statics;
mod token;

use std::path::PathBuf;

use axum::Router;

pub use random::RandomUnavailable;
pub use state::AppState;

/// Name of the HttpOnly cookie that carries the refresh token in cookie mode.
pub const REFRESH_COOKIE: &str = "tf_refresh";

/// Run-time settings, as given on the command line.
#[derive(Debug, Clone)]
pub struct Config {
    /// Lifetime of access tokens issued at start (changeable via `/__test/access-ttl`).
    pub access_ttl: u64,
    /// Lifetime of refresh tokens, in seconds.
    pub refresh_ttl: u64,
    /// Single-valid-token policy: a login revokes every earlier family of the user.
    pub single_session: bool,
    /// Workspace root: static files come from its `www/`, `pkg/` and `tests/fixtures/`.
    pub root: PathBuf,
    /// Suppresses the per-request log line.
    pub quiet: bool,
    /// How many refresh tokens, families, presented tokens and revoked access tokens are
    /// remembered (each); the oldest are forgotten first (see `bounded.rs`).
    pub max_tokens: usize,
    /// Opt-in double-submit CSRF check on the cookie-mode refresh and logout (see `csrf.rs`).
    pub csrf: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            // Short on purpose: people watching the demo should see refreshes happen.
            access_ttl: 20,
            refresh_ttl: 86_400,
            single_session: false,
            root: default_root(),
            quiet: false,
            max_tokens: 100_000,
            csrf: false,
        }
    }
}

/// The workspace root this binary was built in, so `cargo run -p tokenflight-server` serves
/// the demo without any flag.
pub fn default_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Builds the whole application: token endpoints, protected API, control routes and static
/// files, plus the request log unless `quiet`.
///
/// Fails only if the OS cannot supply randomness for the signing key.
pub fn app(config: &Config) -> Result<Router, RandomUnavailable> {
    let state = AppState::new(config)?;
    let router = Router::new()
        .merge(token::routes())
        .merge(api::routes(state.clone()))
        .merge(control::routes())
        .with_state(state)
        .merge(statics::routes(&config.root));
    Ok(if config.quiet {
        router
    } else {
        router.layer(axum::middleware::from_fn(log::log_request))
    })
}
