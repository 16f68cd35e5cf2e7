//! Writing the files credlint produces (reports, baselines, the git hook) so that none is ever
//! half-written or written somewhere else.
//!
//! Each is written to a temporary file beside its target, created exclusively with a random name
//! (the `tempfile` crate: `O_CREAT | O_EXCL`, so a link planted at a guessable name is never
//! followed), then renamed over the target only when complete. While it is being written its
//! name is registered, so that an interrupt (Ctrl-C, `kill`) removes it before the process dies:
//! [`remove_pending`] is safe to call from a signal handler.

use std::ffi::CString;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicPtr, Ordering};

/// Temporary files being written, as C strings for `unlink` (null: a free slot). More than this
/// many at once is not something credlint does; a file that finds no slot is still written,
/// only not removed on interrupt.
static PENDING: [AtomicPtr<libc_char>; 8] = [const { AtomicPtr::new(std::ptr::null_mut()) }; 8];

#[allow(non_camel_case_types)]
type libc_char = std::ffi::c_char;

/// Writes `path` through `fill`, made executable if asked; on failure the target is untouched
/// and the temporary file removed.
pub fn write_atomically(
    path: &Path,
    executable: bool,
    fill: impl FnOnce(&mut std::fs::File) -> io::Result<()>,
) -> io::Result<()> {
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path has no file name"))?;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(file_name);
    prefix.push(".");
    let mut temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".credlint.tmp")
        .tempfile_in(dir)?;
    let _pending = Pending::register(temp.path());
    fill(temp.as_file_mut())?;
    if executable {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            temp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o755))?;
        }
    }
    temp.as_file().sync_all()?;
    temp.persist(path).map(|_| ()).map_err(|e| e.error)
}

/// A registered temporary file; unregistered when dropped (written and renamed, or removed by
/// the temporary file's own drop).
struct Pending {
    slot: Option<usize>,
}

impl Pending {
    fn register(path: &Path) -> Pending {
        #[cfg(unix)]
        let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
        #[cfg(not(unix))]
        let bytes = path.to_string_lossy().into_owned().into_bytes();
        let Ok(name) = CString::new(bytes) else {
            return Pending { slot: None };
        };
        let raw = name.into_raw();
        for (i, slot) in PENDING.iter().enumerate() {
            if slot
                .compare_exchange(
                    std::ptr::null_mut(),
                    raw,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                )
                .is_ok()
            {
                return Pending { slot: Some(i) };
            }
        }
        // Every slot taken: take the name back.
        drop(unsafe { CString::from_raw(raw) });
        Pending { slot: None }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(i) = self.slot {
            let raw = PENDING[i].swap(std::ptr::null_mut(), Ordering::SeqCst);
            if !raw.is_null() {
                drop(unsafe { CString::from_raw(raw) });
            }
        }
    }
}

/// Removes every temporary file being written. Only `unlink` and atomic loads: safe in a
/// signal handler. The names stay allocated (the process is about to end).
pub fn remove_pending() {
    for slot in &PENDING {
        let raw = slot.load(Ordering::SeqCst);
        if !raw.is_null() {
            #[cfg(unix)]
            unsafe {
                libc::unlink(raw);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_whole_or_not_at_all_and_removed_on_interrupt() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.json");
        write_atomically(&target, false, |f| io::Write::write_all(f, b"done")).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"done");

        let failed = write_atomically(&target, false, |f| {
            io::Write::write_all(f, b"half")?;
            Err(io::Error::other("disk on fire"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"done", "target untouched");

        // An interrupt in the middle of a write removes the temporary file.
        write_atomically(&target, false, |_| {
            let temps = || {
                std::fs::read_dir(dir.path())
                    .unwrap()
                    .filter(|e| e.as_ref().unwrap().file_name() != "report.json")
                    .count()
            };
            assert_eq!(temps(), 1);
            remove_pending();
            assert_eq!(temps(), 0);
            Err(io::Error::other("interrupted"))
        })
        .unwrap_err();
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }
}
