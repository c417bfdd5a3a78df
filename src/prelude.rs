//! The `alloc` types every module uses, so the crate compiles the same with std (native, tests)
//! and without it (the npm Wasm build).

pub use alloc::borrow::ToOwned;
pub use alloc::boxed::Box;
pub use alloc::rc::Rc;
pub use alloc::string::String;
pub use alloc::vec;
pub use alloc::vec::Vec;
