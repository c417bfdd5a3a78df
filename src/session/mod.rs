//! Session lifecycle: what is held now (tokens, generation, phase) and how outcomes change it.
//! Pure: clocks are passed in, events are returned for the caller to deliver.

pub mod backoff;
pub mod loop_breaker;
pub mod schedule;
mod state;

pub use state::{Decision, Event, Phase, RefreshTokenIn, Session, Stats};
