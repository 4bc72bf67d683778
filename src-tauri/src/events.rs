//! The core's one event bus. Every state change is published here as an
//! `Event`; whoever cares subscribes when the core starts (the tray, the
//! windows) and producers do not know who listens. Each event and its
//! payload are declared once, in `events!` below, which also names it for
//! the pages (`web/src/bindings.ts`).

use serde_json::Value;
use std::sync::RwLock;
use tauri::{AppHandle, Manager, Runtime};
use trove_domain::history::HistoryDelta;
use trove_domain::settings::Settings;
use trove_domain::state::CaptureState;
#[cfg(test)]
use ts_rs::{Config, TypeVisitor, TS};

macro_rules! events {
    ($($(#[doc = $doc:literal])* $variant:ident($payload:ty) = $name:literal as $page:ident;)+) => {
        #[derive(Debug, Clone)]
        pub enum Event {
            $($(#[doc = $doc])* $variant($payload),)+
        }

        impl Event {
            /// The name the pages listen to.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Event::$variant(_) => $name,)+
                }
            }

            /// The payload as the pages receive it; `None`, said in the log, if it cannot be encoded.
            pub fn payload(&self) -> Option<Value> {
                let encoded = match self {
                    $(Event::$variant(payload) => serde_json::to_value(payload),)+
                };
                encoded.inspect_err(|e| log::error!("cannot broadcast {}: {e}", self.name())).ok()
            }
        }

        /// Each event as the pages see it: the name of its listener in
        /// `bindings.ts`, its name on the wire, and its payload's TypeScript type.
        #[cfg(test)]
        pub const FOR_PAGES: &[(&str, &str, fn(&Config) -> String)] =
            &[$((stringify!($page), $name, <$payload as TS>::name)),+];

        /// Visits every payload type, for `bindings.rs`.
        #[cfg(test)]
        pub fn visit_types(v: &mut impl TypeVisitor) {
            $(v.visit::<$payload>();)+
        }
    };
}

events! {
    /// The settings as saved, after any change.
    SettingsChanged(Settings) = "settings://changed" as settingsChanged;
    /// Capture paused or resumed, a skipped content, a lost or regained clipboard.
    CaptureState(CaptureState) = "capture://state" as captureState;
    /// Sent only after the change is on disk (the history flushes before returning).
    HistoryChanged(HistoryDelta) = "history://changed" as historyChanged;
}

type Subscriber<R> = Box<dyn Fn(&AppHandle<R>, &Event) + Send + Sync>;

/// Managed state: the subscribers, in the order they subscribed.
pub struct Bus<R: Runtime> {
    subscribers: RwLock<Vec<Subscriber<R>>>,
}

impl<R: Runtime> Default for Bus<R> {
    fn default() -> Self {
        Bus { subscribers: RwLock::default() }
    }
}

impl<R: Runtime> Bus<R> {
    pub fn subscribe(&self, subscriber: impl Fn(&AppHandle<R>, &Event) + Send + Sync + 'static) {
        self.subscribers.write().unwrap_or_else(|p| p.into_inner()).push(Box::new(subscriber));
    }
}

/// Hands `event` to every subscriber, in this thread.
pub fn publish<R: Runtime>(app: &AppHandle<R>, event: Event) {
    let Some(bus) = app.try_state::<Bus<R>>() else { return };
    for subscriber in bus.subscribers.read().unwrap_or_else(|p| p.into_inner()).iter() {
        subscriber(app, &event);
    }
}
