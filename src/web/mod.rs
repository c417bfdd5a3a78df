//! Everything that touches the browser, behind the one `wasm32` gate in `lib.rs`: options, the
//! fetch wrapper, the refresh transport, events, and the `#[wasm_bindgen]` API.

mod convert;
mod endpoints;
mod events;
mod host;
mod js_error;
mod manager;
mod net;
mod options;
mod request;
mod timer;

pub use manager::TokenManager;
