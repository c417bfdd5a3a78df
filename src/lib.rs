//! # tokenflight
//!
//! A browser-side token manager compiled to WebAssembly. The access token lives in memory only;
//! `auth.fetch()` attaches it to allowed origins and, when any number of concurrent requests get
//! 401, makes exactly one refresh call while the others wait, then replays each once.
//!
//! ```js
//! import { createTokenManager } from "tokenflight";
//! const auth = await createTokenManager({ refreshUrl: "/api/token/refresh/" });
//! await auth.restore();                       // silent refresh through the HttpOnly cookie
//! const res = await auth.fetch("/api/orders"); // 401 → one refresh → one replay
//! ```
//!
//! The crate is split into a pure core (`claims`, `json`, `refresh`, `session`, `token`), tested
//! natively with a fake clock and transport, and a thin browser layer (`web`, wasm32 only).

#![deny(missing_docs)]
#![forbid(unsafe_op_in_unsafe_fn)]
// The npm build is no_std on wasm32: std's panic and formatting machinery would double the Wasm.
#![cfg_attr(all(target_arch = "wasm32", feature = "npm"), no_std)]

extern crate alloc;

pub mod base64url;
pub mod claims;
pub mod crosstab;
pub mod error;
pub mod grant;
pub mod json;
pub mod origin;
mod prelude;
pub mod refresh;
pub mod session;
mod text;
pub mod token;

#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(all(target_arch = "wasm32", feature = "npm"))]
mod runtime;

pub use error::{EndReason, Error, RefreshFailure, Result};
