//! Scan progress for people and for cron.
//!
//! On a terminal, a bar over the assets whose message shows the objects
//! listed (while listing), then the objects read of those planned and the
//! bytes fetched. When stderr is not a terminal (cron, CI, a container's
//! log), a `tracing::info!` "progress" line at most every
//! [`DEFAULT_INTERVAL`], one at the end of listing and one at the end of
//! the file scan, so an unattended scan of a large bucket shows it is
//! advancing. Both carry counts only: never a key, an asset id or a value.
//!
//! Bytes fetched and objects listed are read from the object stores' own
//! counters (the ones `scan.io` in the inventory reports), not counted a
//! second time here, so progress and inventory agree by construction. The
//! local disk keeps no such counters: a local-only scan shows no bytes.

use crate::scan::progress::{IoCounts, IoProbe};
use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

/// Milliseconds between progress lines when stderr is not a terminal
/// (default 10 s), read once when a scan starts. For tests, which need a
/// line within a short scan, and for operators who want a denser or
/// sparser log. Not a flag: it changes no result.
pub const INTERVAL_ENV: &str = "FERRET_PROGRESS_INTERVAL_MS";
/// Sparse enough that a night's log stays readable, dense enough that a
/// stalled scan is noticed within minutes.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);
/// How often the terminal bar's message is refreshed (indicatif limits the
/// redraws themselves).
const BAR_TICK: Duration = Duration::from_millis(200);

/// Counters the scan workers bump; the ticker thread reads them.
#[derive(Default)]
struct Shared {
    listing: AtomicBool,
    assets_total: AtomicU64,
    assets_done: AtomicU64,
    objects_planned: AtomicU64,
    objects_read: AtomicU64,
}

/// Where progress goes for this run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sink {
    /// `--quiet`: nothing.
    Off,
    Bar,
    Log,
}

struct View {
    sink: Sink,
    bar: ProgressBar,
    counts: Shared,
    /// The counters of the run's buckets; unset without S3 targets.
    store: OnceLock<IoProbe>,
}

/// One reading of every counter.
struct Snapshot {
    assets_done: u64,
    assets_total: u64,
    objects_read: u64,
    objects_planned: u64,
    io: IoCounts,
}

impl View {
    fn snapshot(&self) -> Snapshot {
        let c = &self.counts;
        Snapshot {
            assets_done: c.assets_done.load(Ordering::Relaxed),
            assets_total: c.assets_total.load(Ordering::Relaxed),
            objects_read: c.objects_read.load(Ordering::Relaxed),
            objects_planned: c.objects_planned.load(Ordering::Relaxed),
            io: self.store.get().map(|probe| probe()).unwrap_or_default(),
        }
    }

    fn listing(&self) -> bool {
        self.counts.listing.load(Ordering::Relaxed)
    }

    fn refresh_bar(&self) {
        let s = self.snapshot();
        let message = if self.listing() {
            match self.store.get() {
                Some(_) => format!("listing: {} objects listed", s.io.objects_listed),
                None => "listing".to_string(),
            }
        } else if self.store.get().is_some() {
            format!(
                "{}/{} objects read, {} fetched",
                s.objects_read,
                s.objects_planned,
                HumanBytes(s.io.bytes_fetched)
            )
        } else {
            // The local disk keeps no byte counters: no "0 B fetched".
            format!("{}/{} objects read", s.objects_read, s.objects_planned)
        };
        self.bar.set_message(message);
    }

    fn log(&self, phase: &str) {
        let s = self.snapshot();
        tracing::info!(
            phase,
            objects_listed = s.io.objects_listed,
            assets_done = s.assets_done,
            assets_total = s.assets_total,
            objects_read = s.objects_read,
            objects_planned = s.objects_planned,
            // Absent (not 0) without S3 targets: the local disk counts no bytes.
            bytes_fetched = self.store.get().map(|_| s.io.bytes_fetched),
            "progress"
        );
    }
}

/// Progress of one scan, from listing to the last asset.
pub struct Progress {
    view: Arc<View>,
    /// Taken when the scan finishes (ends the ticker thread).
    ticker: Mutex<Option<(mpsc::Sender<()>, JoinHandle<()>)>>,
}

impl Progress {
    /// Starts in the listing phase.
    pub fn start(quiet: bool) -> Progress {
        let sink = if quiet {
            Sink::Off
        } else if std::io::stderr().is_terminal() {
            Sink::Bar
        } else {
            Sink::Log
        };
        let bar = match sink {
            Sink::Bar => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                if let Ok(style) =
                    ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_msg}")
                {
                    bar.set_style(style);
                }
                bar.enable_steady_tick(BAR_TICK);
                bar
            }
            Sink::Off | Sink::Log => ProgressBar::hidden(),
        };
        let view = Arc::new(View {
            sink,
            bar,
            counts: Shared::default(),
            store: OnceLock::new(),
        });
        view.counts.listing.store(true, Ordering::Relaxed);
        Progress {
            view,
            ticker: Mutex::new(None),
        }
    }

    /// Starts the thread that redraws the bar or writes periodic lines.
    fn spawn_ticker(&self) -> Option<(mpsc::Sender<()>, JoinHandle<()>)> {
        let tick = match self.view.sink {
            Sink::Off => return None,
            Sink::Bar => BAR_TICK,
            Sink::Log => interval(),
        };
        let (tx, rx) = mpsc::channel::<()>();
        let v = self.view.clone();
        let spawned = std::thread::Builder::new()
            .name("ferret-progress".into())
            .spawn(move || {
                // Ends when the sender is dropped (or sends).
                while let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(tick) {
                    match v.sink {
                        Sink::Bar => v.refresh_bar(),
                        Sink::Log if v.listing() => v.log("listing"),
                        Sink::Log => v.log("scanning"),
                        Sink::Off => {}
                    }
                }
            });
        match spawned {
            Ok(handle) => Some((tx, handle)),
            // No thread, no periodic progress: the scan still runs.
            Err(e) => {
                tracing::warn!("no progress reports: cannot start a thread: {e}");
                None
            }
        }
    }
}

impl crate::scan::Progress for Progress {
    /// `io`: the counters of every bucket of the run.
    /// `io`: the counters of every bucket of the run, known before the
    /// first progress line is written (each line says what it counts).
    fn started(&self, io: Option<IoProbe>) {
        if let Some(probe) = io {
            let _ = self.view.store.set(probe);
        }
        if let Ok(mut ticker) = self.ticker.lock()
            && ticker.is_none()
        {
            *ticker = self.spawn_ticker();
        }
    }

    /// Listing is over: `assets` to scan, `objects` planned to be read.
    fn listed(&self, assets: u64, objects: u64) {
        let c = &self.view.counts;
        c.assets_total.store(assets, Ordering::Relaxed);
        c.objects_planned.store(objects, Ordering::Relaxed);
        c.listing.store(false, Ordering::Relaxed);
        match self.view.sink {
            Sink::Bar => {
                let bar = &self.view.bar;
                bar.set_length(assets);
                if let Ok(style) = ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} assets  {wide_msg}",
                ) {
                    bar.set_style(style);
                }
                self.view.refresh_bar();
            }
            Sink::Log => self.view.log("listed"),
            Sink::Off => {}
        }
    }

    /// One object of an asset was read (or its read failed: it was still
    /// sampled, as `objects_sampled` counts it).
    fn unit_read(&self) {
        self.view
            .counts
            .objects_read
            .fetch_add(1, Ordering::Relaxed);
    }

    /// An asset is finished.
    fn asset_done(&self) {
        self.view.counts.assets_done.fetch_add(1, Ordering::Relaxed);
        self.view.bar.inc(1);
    }

    /// An asset was carried forward from the state: its `objects` planned
    /// will not be read this run.
    fn asset_carried(&self, objects: u64) {
        let planned = &self.view.counts.objects_planned;
        // Never below zero, whatever the order of updates.
        let _ = planned.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |p| {
            Some(p.saturating_sub(objects))
        });
        self.asset_done();
    }

    /// The file assets are done: stops the ticker, clears the bar and, for
    /// the log, writes the final counts.
    fn finished(&self) {
        let ticker = self.ticker.lock().ok().and_then(|mut t| t.take());
        if let Some((stop, handle)) = ticker {
            drop(stop);
            let _ = handle.join();
        }
        self.view.bar.finish_and_clear();
        if self.view.sink == Sink::Log {
            self.view.log("scanned");
        }
    }
}

/// The interval between progress lines: [`INTERVAL_ENV`] if set to a whole
/// number of milliseconds (at least 1), else [`DEFAULT_INTERVAL`].
fn interval() -> Duration {
    match std::env::var(INTERVAL_ENV) {
        Err(_) => DEFAULT_INTERVAL,
        Ok(v) => match v.trim().parse::<u64>() {
            Ok(ms) => Duration::from_millis(ms.max(1)),
            Err(_) => {
                tracing::warn!(
                    "{INTERVAL_ENV} is not a whole number of milliseconds; progress every {}s",
                    DEFAULT_INTERVAL.as_secs()
                );
                DEFAULT_INTERVAL
            }
        },
    }
}
