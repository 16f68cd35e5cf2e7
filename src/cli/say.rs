//! Writing to the terminal without ever panicking: `println!` and `eprintln!` panic when the
//! stream is closed or full, and a panic while printing the panic message aborts the process.
//! Messages to stderr are best effort; output to stdout that cannot be written is an error the
//! command reports (a closed pipe, as in `credlint rules | head`, is the reader's choice and not
//! an error).

use std::io::Write;

/// A line to stderr; a stderr that cannot be written loses the line, nothing else.
pub fn note(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Text to stdout, in full, or the error to report.
pub fn out(text: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write to standard output: {e}")),
    }
}
