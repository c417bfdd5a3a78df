//! Everything that touches the browser, behind the one `wasm32` gate in `lib.rs`: options, the
//! fetch wrapper, the refresh transport, events, and the `#[wasm_bindgen]` API.

mod abort;
mod convert;
mod endpoints;
mod events;
mod executor;
mod fetch;
mod flag;
mod host;
mod js_error;
mod lifecycle;
mod manager;
mod net;
mod options;
mod platform;
mod privacy;
mod request;
mod tabs;
mod timer;

pub use manager::TokenManager;
