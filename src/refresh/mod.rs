//! The pure refresh core: single-flight lock, response policy, token responses, backoff, and
//! the coordinator that runs them around a session.

pub mod backoff;
pub mod body;
pub mod coordinator;
pub mod flight;
pub mod grant;
pub mod policy;
