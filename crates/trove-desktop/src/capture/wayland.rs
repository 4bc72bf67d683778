//! Wayland clipboard glue over the data-control protocol (ext-data-control-v1,
//! or wlr-data-control-unstable-v1 where only that is offered). One thread
//! blocks in the Wayland socket; each new selection is read through pipes,
//! and clips copied back are offered from a data source of Trove's own.

use super::wayland_paste::Method as PasteMethod;
use super::{read_offer, Fetched, Sink, Switches, TEXT_TARGETS};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use trove_domain::clip::{Format, Selection};
use wayland_client::backend::ObjectId;
use wayland_client::globals::{registry_queue_init, GlobalList, GlobalListContents};
use wayland_client::protocol::{wl_registry, wl_seat::WlSeat};
use wayland_client::{Connection, Dispatch, Proxy, QueueHandle};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Offered with every clip Trove puts back, so its own selection is not captured again.
const OWN_MARKER: &str = "application/x-trove-copy";
const READ_TIMEOUT: Duration = Duration::from_secs(2);

/// The requests Trove makes, for either data-control protocol.
pub trait Protocol: Sized + Send + Sync + 'static {
    const NAME: &'static str;
    type Manager: Proxy + Send + Sync + 'static;
    type Device: Proxy + Send + Sync + 'static;
    type Source: Proxy + Send + Sync + 'static;
    type Offer: Proxy + Send + Sync + 'static;
    fn bind(globals: &GlobalList, qh: &QueueHandle<Reader<Self>>) -> Option<Self::Manager>;
    fn device(m: &Self::Manager, seat: &WlSeat, qh: &QueueHandle<Reader<Self>>) -> Self::Device;
    fn source(m: &Self::Manager, qh: &QueueHandle<Reader<Self>>) -> Self::Source;
    fn offer_mime(s: &Self::Source, mime: String);
    fn set_selection(d: &Self::Device, s: &Self::Source);
    fn destroy_source(s: &Self::Source);
    fn receive(o: &Self::Offer, mime: String, fd: BorrowedFd<'_>);
    fn destroy_offer(o: &Self::Offer);
}

/// Reads the clipboard as the compositor announces it.
pub struct Reader<P: Protocol> {
    switches: Arc<Switches>,
    sink: Sink,
    conn: Connection,
    /// Offers announced but not yet made the selection, with their MIME types.
    offers: HashMap<ObjectId, (P::Offer, Vec<String>)>,
    serving: Arc<Mutex<Serving<P>>>,
}

/// The data source Trove offers now, if any, and what it serves.
pub struct Serving<P: Protocol> {
    source: Option<P::Source>,
    data: HashMap<String, Arc<[u8]>>,
}

/// Copies clips back through Trove's own data source.
pub struct Owner<P: Protocol> {
    conn: Connection,
    qh: QueueHandle<Reader<P>>,
    manager: P::Manager,
    device: P::Device,
    serving: Arc<Mutex<Serving<P>>>,
}

/// The clipboard owner for copies back, the name of the protocol in use, and
/// how this compositor lets Trove type, if it does.
type Started = (Arc<dyn super::Owner>, &'static str, Option<PasteMethod>);

/// Connects to the compositor and starts reading if it offers data-control.
/// `Ok(None)` means it does not.
pub fn start(switches: Arc<Switches>, sink: Sink) -> Result<Option<Started>, Error> {
    let conn = Connection::connect_to_env()?;
    // A first look at the globals; the chosen protocol then gets its own queue.
    let (globals, _) = registry_queue_init::<Reader<Ext>>(&conn)?;
    let has = |name: &str| globals.contents().with_list(|l| l.iter().any(|g| g.interface == name));
    let paste = PasteMethod::offered(&globals);
    let started = if has("ext_data_control_manager_v1") {
        run::<Ext>(conn, switches, sink)?
    } else if has("zwlr_data_control_manager_v1") {
        run::<Wlr>(conn, switches, sink)?
    } else {
        return Ok(None);
    };
    Ok(Some((started.0, started.1, paste)))
}

fn run<P: Protocol>(
    conn: Connection,
    switches: Arc<Switches>,
    sink: Sink,
) -> Result<(Arc<dyn super::Owner>, &'static str), Error> {
    let (globals, mut queue) = registry_queue_init::<Reader<P>>(&conn)?;
    let qh = queue.handle();
    let manager = P::bind(&globals, &qh).ok_or("the data-control manager went away")?;
    let seat: WlSeat = globals.bind(&qh, 1..=1, ())?;
    let device = P::device(&manager, &seat, &qh);
    let serving = Arc::new(Mutex::new(Serving { source: None, data: HashMap::new() }));
    let mut reader = Reader { switches, sink, conn: conn.clone(), offers: HashMap::new(), serving: serving.clone() };
    std::thread::Builder::new().name("clipboard-wayland".into()).spawn(move || loop {
        if let Err(e) = queue.blocking_dispatch(&mut reader) {
            log::error!("Wayland clipboard reader stopped: {e}");
            return (reader.sink)(super::Capture::Lost(format!("the Wayland connection ended ({e})")));
        }
    })?;
    let owner = Owner { conn, qh, manager, device, serving };
    Ok((Arc::new(owner), P::NAME))
}

impl<P: Protocol> super::Owner for Owner<P> {
    fn offer(&self, payloads: Vec<(Format, Vec<u8>)>) -> Result<(), Error> {
        let source = P::source(&self.manager, &self.qh);
        let mut data = HashMap::new();
        for (format, bytes) in payloads {
            let bytes: Arc<[u8]> = bytes.into();
            let mimes: &[&str] = match format {
                Format::Text => &TEXT_TARGETS[..3],
                Format::Html => &["text/html"],
                Format::Png => &["image/png"],
                Format::UriList => &["text/uri-list"],
                Format::Thumbnail => &[],
            };
            for mime in mimes {
                data.insert(mime.to_string(), bytes.clone());
            }
        }
        for mime in data.keys().map(String::as_str).chain([OWN_MARKER]) {
            P::offer_mime(&source, mime.to_string());
        }
        let mut serving = self.serving.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = serving.source.replace(source) {
            P::destroy_source(&old);
        }
        serving.data = data;
        if let Some(source) = &serving.source {
            P::set_selection(&self.device, source);
        }
        self.conn.flush()?;
        Ok(())
    }
}

impl<P: Protocol> Reader<P> {
    fn data_offer(&mut self, offer: P::Offer) {
        self.offers.insert(offer.id(), (offer, Vec::new()));
    }

    fn offered_mime(&mut self, offer: &P::Offer, mime: String) {
        if let Some((_, mimes)) = self.offers.get_mut(&offer.id()) {
            mimes.push(mime);
        }
    }

    fn selection(&mut self, offer: Option<P::Offer>, selection: Selection) {
        let Some(offer) = offer else {
            return;
        };
        let Some((offer, mimes)) = self.offers.remove(&offer.id()) else {
            return;
        };
        let settings = self.switches.snapshot();
        let wanted = !mimes.iter().any(|m| m == OWN_MARKER)
            && !settings.paused
            && (selection == Selection::Clipboard || settings.primary);
        if wanted {
            let read = read_offer(mimes, selection, &settings, |mime, max| self.receive(&offer, mime, max));
            match read {
                Ok(Some(capture)) => (self.sink)(capture),
                Ok(None) => {}
                Err(e) => log::warn!("cannot read the {selection:?} selection: {e}"),
            }
        }
        P::destroy_offer(&offer);
    }

    /// Reads one MIME type of `offer` through a pipe, up to `max` bytes.
    fn receive(&self, offer: &P::Offer, mime: &str, max: u64) -> Result<Fetched, Error> {
        let (read_end, write_end) = pipe()?;
        P::receive(offer, mime.to_string(), write_end.as_fd());
        self.conn.flush()?;
        drop(write_end);
        let mut file = std::fs::File::from(read_end);
        let deadline = Instant::now() + READ_TIMEOUT;
        let mut data = Vec::new();
        let mut chunk = [0u8; 64 * 1024];
        loop {
            wait_readable(file.as_fd(), deadline)?;
            let n = file.read(&mut chunk)?;
            if n == 0 {
                return Ok(Fetched::Data(data));
            }
            data.extend_from_slice(&chunk[..n]);
            if data.len() as u64 > max {
                return Ok(Fetched::TooLarge(data.len() as u64));
            }
        }
    }

    fn send(&self, mime: &str, fd: OwnedFd) {
        let data = self.serving.lock().unwrap_or_else(|p| p.into_inner()).data.get(mime).cloned();
        if let Some(data) = data {
            // The reader may be slow; never hold up the event loop for it.
            std::thread::spawn(move || {
                if let Err(e) = std::fs::File::from(fd).write_all(&data) {
                    log::warn!("a paste was cut short: {e}");
                }
            });
        }
    }

    fn cancelled(&self, source: &P::Source) {
        let mut serving = self.serving.lock().unwrap_or_else(|p| p.into_inner());
        if serving.source.as_ref().is_some_and(|s| s.id() == source.id()) {
            serving.source = None;
            serving.data.clear();
        }
        P::destroy_source(source);
    }
}

fn pipe() -> Result<(OwnedFd, OwnedFd), Error> {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error().into());
    }
    // SAFETY: pipe2 succeeded, so both are open descriptors that nothing else owns.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn wait_readable(fd: BorrowedFd<'_>, deadline: Instant) -> Result<(), Error> {
    use std::os::fd::AsRawFd;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err("the owner stopped sending".into());
        }
        let mut pfd = libc::pollfd { fd: fd.as_raw_fd(), events: libc::POLLIN, revents: 0 };
        let ms = libc::c_int::try_from(left.as_millis() + 1).unwrap_or(libc::c_int::MAX);
        // SAFETY: one valid pollfd that outlives the call.
        match unsafe { libc::poll(&mut pfd, 1, ms) } {
            n if n > 0 => return Ok(()),
            0 => continue,
            _ => {
                let err = std::io::Error::last_os_error();
                if err.kind() != std::io::ErrorKind::Interrupted {
                    return Err(err.into());
                }
            }
        }
    }
}

impl<P: Protocol> Dispatch<wl_registry::WlRegistry, GlobalListContents> for Reader<P> {
    fn event(
        _: &mut Self,
        _: &wl_registry::WlRegistry,
        _: wl_registry::Event,
        _: &GlobalListContents,
        _: &Connection,
        _: &QueueHandle<Self>,
    ) {
    }
}

impl<P: Protocol> Dispatch<WlSeat, ()> for Reader<P> {
    fn event(
        _: &mut Self,
        _: &WlSeat,
        _: wayland_client::protocol::wl_seat::Event,
        _: &(),
        _: &Connection,
        _: &QueueHandle<Self>,
    ) {
    }
}

/// The two protocols are the same but for their names: one set of glue each.
macro_rules! data_control {
    ($protocol:ident, $name:literal, $m:ident,
     $manager:ident::$Manager:ident, $device:ident::$Device:ident,
     $source:ident::$Source:ident, $offer:ident::$Offer:ident) => {
        pub struct $protocol;

        impl Protocol for $protocol {
            const NAME: &'static str = $name;
            type Manager = $m::$manager::$Manager;
            type Device = $m::$device::$Device;
            type Source = $m::$source::$Source;
            type Offer = $m::$offer::$Offer;

            fn bind(globals: &GlobalList, qh: &QueueHandle<Reader<Self>>) -> Option<Self::Manager> {
                globals.bind(qh, 1..=2, ()).ok()
            }
            fn device(m: &Self::Manager, seat: &WlSeat, qh: &QueueHandle<Reader<Self>>) -> Self::Device {
                m.get_data_device(seat, qh, ())
            }
            fn source(m: &Self::Manager, qh: &QueueHandle<Reader<Self>>) -> Self::Source {
                m.create_data_source(qh, ())
            }
            fn offer_mime(s: &Self::Source, mime: String) {
                s.offer(mime)
            }
            fn set_selection(d: &Self::Device, s: &Self::Source) {
                d.set_selection(Some(s))
            }
            fn destroy_source(s: &Self::Source) {
                s.destroy()
            }
            fn receive(o: &Self::Offer, mime: String, fd: BorrowedFd<'_>) {
                o.receive(mime, fd)
            }
            fn destroy_offer(o: &Self::Offer) {
                o.destroy()
            }
        }

        impl Dispatch<$m::$manager::$Manager, ()> for Reader<$protocol> {
            fn event(_: &mut Self, _: &$m::$manager::$Manager, _: $m::$manager::Event, _: &(), _: &Connection, _: &QueueHandle<Self>) {}
        }

        impl Dispatch<$m::$device::$Device, ()> for Reader<$protocol> {
            fn event(
                reader: &mut Self,
                _: &$m::$device::$Device,
                event: $m::$device::Event,
                _: &(),
                _: &Connection,
                _: &QueueHandle<Self>,
            ) {
                use $m::$device::Event;
                match event {
                    Event::DataOffer { id } => reader.data_offer(id),
                    Event::Selection { id } => reader.selection(id, Selection::Clipboard),
                    Event::PrimarySelection { id } => reader.selection(id, Selection::Primary),
                    Event::Finished => log::warn!("the compositor ended Trove's data-control device"),
                    _ => {}
                }
            }

            wayland_client::event_created_child!(Reader<$protocol>, $m::$device::$Device, [
                $m::$device::EVT_DATA_OFFER_OPCODE => ($m::$offer::$Offer, ()),
            ]);
        }

        impl Dispatch<$m::$offer::$Offer, ()> for Reader<$protocol> {
            fn event(
                reader: &mut Self,
                offer: &$m::$offer::$Offer,
                event: $m::$offer::Event,
                _: &(),
                _: &Connection,
                _: &QueueHandle<Self>,
            ) {
                if let $m::$offer::Event::Offer { mime_type } = event {
                    reader.offered_mime(offer, mime_type);
                }
            }
        }

        impl Dispatch<$m::$source::$Source, ()> for Reader<$protocol> {
            fn event(
                reader: &mut Self,
                source: &$m::$source::$Source,
                event: $m::$source::Event,
                _: &(),
                _: &Connection,
                _: &QueueHandle<Self>,
            ) {
                match event {
                    $m::$source::Event::Send { mime_type, fd } => reader.send(&mime_type, fd),
                    $m::$source::Event::Cancelled => reader.cancelled(source),
                    _ => {}
                }
            }
        }
    };
}

use wayland_protocols::ext::data_control::v1::client as ext;
use wayland_protocols_wlr::data_control::v1::client as wlr;

data_control!(
    Ext,
    "ext-data-control-v1",
    ext,
    ext_data_control_manager_v1::ExtDataControlManagerV1,
    ext_data_control_device_v1::ExtDataControlDeviceV1,
    ext_data_control_source_v1::ExtDataControlSourceV1,
    ext_data_control_offer_v1::ExtDataControlOfferV1
);

data_control!(
    Wlr,
    "wlr-data-control-unstable-v1",
    wlr,
    zwlr_data_control_manager_v1::ZwlrDataControlManagerV1,
    zwlr_data_control_device_v1::ZwlrDataControlDeviceV1,
    zwlr_data_control_source_v1::ZwlrDataControlSourceV1,
    zwlr_data_control_offer_v1::ZwlrDataControlOfferV1
);
