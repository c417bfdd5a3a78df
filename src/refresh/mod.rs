//! The pure refresh core: the single-flight lock, what resource and refresh-endpoint answers
//! mean, the refresh-token body, and the coordinator that runs them around a session.

pub mod answer;
pub mod body;
pub mod coordinator;
pub mod flight;
pub mod policy;
