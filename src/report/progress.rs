//! Progress on stderr for long scans: files, bytes and rate. On a terminal one line is redrawn
//! in place a few times a second; into a log (CI, `2> file`) a plain line is written every few
//! seconds instead, never carriage returns or terminal escapes. Never with `-q`, and only once a
//! scan has run long enough to need it.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::human_bytes;
use crate::source::ScanStats;

/// Scans shorter than this never show progress (no flicker on pre-commit runs).
/// `CREDLINT_PROGRESS_AFTER_MS` changes it (for tests of the progress output itself).
const FIRST_DRAW_AFTER: Duration = Duration::from_millis(500);
const REDRAW_EVERY: Duration = Duration::from_millis(200);
/// How often a plain line goes into a log.
const LOG_EVERY: Duration = Duration::from_secs(5);

pub struct Progress {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Progress {
    pub fn start(stats: Arc<ScanStats>, unit: &'static str) -> Progress {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let first_draw = std::env::var("CREDLINT_PROGRESS_AFTER_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(FIRST_DRAW_AFTER, Duration::from_millis);
        let terminal = std::io::stderr().is_terminal();
        let handle = std::thread::spawn(move || {
            let started = Instant::now();
            let mut drawn = false;
            let mut next = first_draw;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
                let elapsed = started.elapsed();
                if elapsed < next {
                    continue;
                }
                let bytes = stats.bytes();
                let rate = bytes as f64 / elapsed.as_secs_f64().max(0.001);
                let status = format!(
                    "scanning: {} {unit}, {}, {}/s",
                    stats.files(),
                    human_bytes(bytes),
                    human_bytes(rate as u64)
                );
                let line = if terminal {
                    format!("\r\x1b[2K  {status}")
                } else {
                    format!("credlint: {status}\n")
                };
                let _ = std::io::stderr().write_all(line.as_bytes());
                drawn = true;
                next = elapsed + if terminal { REDRAW_EVERY } else { LOG_EVERY };
            }
            if drawn && terminal {
                let _ = std::io::stderr().write_all(b"\r\x1b[2K");
            }
        });
        Progress {
            stop,
            handle: Some(handle),
        }
    }

    pub fn finish(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}
