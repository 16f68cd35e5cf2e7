//! Standard input (`credlint scan -`): one stream, read whole within the size limit, as one blob
//! named `<stdin>`.

use std::io::Read;

use super::{
    Blob, Coverage, Place, ScanMode, ScanStats, SkipReason, Source, SourceError, VisitorFactory,
};

pub struct StdinSource {
    max_size: u64,
}

impl StdinSource {
    pub fn new(max_size: u64) -> StdinSource {
        StdinSource { max_size }
    }
}

impl Source for StdinSource {
    fn mode(&self) -> ScanMode {
        ScanMode::Stdin
    }

    fn coverage(&self) -> Coverage {
        Coverage::Nothing
    }

    fn read(
        &mut self,
        _threads: usize,
        stats: &ScanStats,
        visitors: &dyn VisitorFactory,
    ) -> Result<(), SourceError> {
        let mut buffer = Vec::new();
        std::io::stdin()
            .lock()
            .take(self.max_size.saturating_add(1))
            .read_to_end(&mut buffer)
            .map_err(|e| SourceError::Stdin(format!("cannot read standard input: {e}")))?;
        if buffer.len() as u64 > self.max_size {
            stats.skipped(SkipReason::TooLarge);
            stats.warn(
                Some("<stdin>"),
                format!(
                    "larger than the size limit ({} bytes); not scanned",
                    self.max_size
                ),
            );
            return Ok(());
        }
        visitors.visitor().visit(&Blob {
            bytes: &buffer,
            places: &[Place {
                path: "<stdin>",
                rel_path: "stdin",
                origin: 0,
            }],
            object: None,
            replaces: None,
        });
        Ok(())
    }
}
