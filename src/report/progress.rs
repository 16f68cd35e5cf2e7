//! Progress on stderr for long scans: files, bytes and rate, redrawn in place a few times a
//! second. Shown only when stderr is a terminal (or `--progress`), never with `-q`, and only
//! once a scan has run long enough to need it.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::human_bytes;
use crate::source::ScanStats;

/// Scans shorter than this never show a progress line (no flicker on pre-commit runs).
const FIRST_DRAW_AFTER: Duration = Duration::from_millis(500);
const REDRAW_EVERY: Duration = Duration::from_millis(200);

pub struct Progress {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Progress {
    pub fn start(stats: Arc<ScanStats>, unit: &'static str) -> Progress {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let handle = std::thread::spawn(move || {
            let started = Instant::now();
            let mut drawn = false;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
                let elapsed = started.elapsed();
                if elapsed < FIRST_DRAW_AFTER {
                    continue;
                }
                let bytes = stats.bytes();
                let rate = bytes as f64 / elapsed.as_secs_f64();
                let line = format!(
                    "\r\x1b[2K  scanning: {} {unit}, {}, {}/s",
                    stats.files(),
                    human_bytes(bytes),
                    human_bytes(rate as u64)
                );
                let _ = std::io::stderr().write_all(line.as_bytes());
                drawn = true;
                std::thread::sleep(REDRAW_EVERY);
            }
            if drawn {
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
