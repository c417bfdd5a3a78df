//! Listener registry for `on(name, listener)`. Listeners are called with no borrow held, so a
//! listener may call back into the manager (for example `logout()` from `sessionEnd`); a
//! listener that throws does not stop the others or the library.

use crate::prelude::*;

use core::cell::{Cell, RefCell};

use wasm_bindgen::prelude::*;

use super::convert::{callback, put};
use crate::session::Event;

/// The events an app can listen to, in the order of [`NAMES`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum EventKind {
    Refresh,
    SessionEnd,
    TokenChange,
}

/// Event names accepted by `on`.
const NAMES: [(&str, EventKind); 3] = [
    ("refresh", EventKind::Refresh),
    ("sessionEnd", EventKind::SessionEnd),
    ("tokenChange", EventKind::TokenChange),
];

/// One registered listener.
struct Entry {
    id: u32,
    kind: EventKind,
    listener: js_sys::Function,
}

/// Registered listeners.
#[derive(Default)]
pub struct Listeners {
    next_id: Cell<u32>,
    entries: RefCell<Vec<Entry>>,
    /// The scope of the newest token response of this manager's refreshes: a `refresh` event
    /// reports it when the session found it changed.
    scope: RefCell<Option<String>>,
}

impl Listeners {
    /// Adds a listener; returns its id, or `None` for an unknown event name.
    pub fn add(&self, name: &str, listener: js_sys::Function) -> Option<u32> {
        let kind = NAMES.iter().find(|(n, _)| *n == name)?.1;
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        self.entries.borrow_mut().push(Entry { id, kind, listener });
        Some(id)
    }

    /// Notes the scope a refresh answer granted (`None`: it stated none).
    pub fn note_scope(&self, scope: Option<&str>) {
        if let Some(scope) = scope {
            *self.scope.borrow_mut() = Some(scope.into());
        }
    }

    /// Removes a listener; removing twice is harmless.
    pub fn remove(&self, id: u32) {
        self.entries.borrow_mut().retain(|e| e.id != id);
    }

    /// Delivers an event with its payload.
    pub fn dispatch(&self, event: Event) {
        let payload = js_sys::Object::new();
        let kind = match event {
            Event::Refresh { generation, scope_changed } => {
                put(&payload, "generation", JsValue::from_f64(generation as f64));
                if let (true, Some(scope)) = (scope_changed, &*self.scope.borrow()) {
                    put(&payload, "scope", JsValue::from_str(scope));
                }
                EventKind::Refresh
            }
            Event::SessionEnd(reason) => {
                put(&payload, "reason", JsValue::from_str(reason.as_str()));
                EventKind::SessionEnd
            }
            Event::TokenChange { generation, authenticated } => {
                put(&payload, "generation", JsValue::from_f64(generation as f64));
                put(&payload, "authenticated", JsValue::from_bool(authenticated));
                EventKind::TokenChange
            }
        };
        // One at a time, in the order added, as the DOM dispatches: a listener added during the
        // dispatch is not called for this event, and one removed before its turn is not called.
        // Ids grow with each `add`, so the last id called marks the place.
        let (mut last, end) = (0, self.next_id.get());
        loop {
            let next = self
                .entries
                .borrow()
                .iter()
                .find(|e| e.id > last && e.id <= end && e.kind == kind)
                .map(|e| (e.id, e.listener.clone()));
            let Some((id, f)) = next else { return };
            last = id;
            let _ = f.call1(&JsValue::UNDEFINED, &payload);
        }
    }
}

/// A JavaScript function that removes listener `id` when called.
pub fn unsubscribe_fn(listeners: &Rc<Listeners>, id: u32) -> JsValue {
    let listeners = Rc::downgrade(listeners);
    callback(move |_| {
        if let Some(l) = listeners.upgrade() {
            l.remove(id);
        }
        JsValue::UNDEFINED
    })
    .into_js_value()
}
