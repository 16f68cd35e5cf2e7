//! The archive reader: any bytes, read as each container format (zip, tar, gzip, bzip2, xz,
//! zstd) under small budgets. It must never panic, never hand over a member larger than the
//! member limit, and never hand over more members than the member limit allows.
#![no_main]

use credlint::admission::container::{self, Budget, Format, Limits, Members};
use libfuzzer_sys::fuzz_target;

const MEMBER_BYTES: u64 = 1 << 20;
const MEMBERS: u64 = 64;

struct Check {
    members: u64,
}

impl Members for Check {
    fn member(&mut self, name: &str, bytes: &[u8], _complete: bool) {
        assert!(!name.is_empty());
        assert!(bytes.len() as u64 <= MEMBER_BYTES);
        self.members += 1;
        assert!(self.members <= MEMBERS);
    }
}

const FORMATS: [Format; 6] = [
    Format::Zip,
    Format::Tar,
    Format::Gzip,
    Format::Bzip2,
    Format::Xz,
    Format::Zstd,
];

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_depth: 3,
        max_member_bytes: MEMBER_BYTES,
        max_total_bytes: 8 << 20,
        max_ratio: 100,
        max_members: MEMBERS,
    };
    // As detected from the magic bytes, and (the first byte choosing) as a format forced on the
    // rest, so that every reader sees damaged input too.
    let mut runs: Vec<(Format, &[u8])> = container::detect(data).map(|f| (f, data)).into_iter().collect();
    if let Some((&first, rest)) = data.split_first() {
        runs.push((FORMATS[usize::from(first) % FORMATS.len()], rest));
    }
    for (format, bytes) in runs {
        let budget = Budget::new(&limits, bytes.len());
        let mut check = Check { members: 0 };
        let _ = container::open(format, bytes, "input.tar.gz", &limits, &budget, &mut check);
    }
});
