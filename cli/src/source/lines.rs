//! Lines of a byte stream, in bounded memory: a line longer than the limit is skipped (and
//! counted) without ever being held whole, and a last line without its newline (a log cut
//! while it was written) is still a line.

use std::io::{self, Read};

/// Room for the reports of deep stacks, and a bound on what one line can make us hold.
pub const DEFAULT_MAX_LINE: usize = 8 << 20;

/// What reading gives for each line.
#[derive(Debug)]
pub enum Line<'a> {
    /// A whole line, without its `\n` (and without a `\r` before it).
    Complete(&'a [u8]),
    /// A line longer than the limit: its length, and nothing of it.
    TooLong(u64),
}

/// Reads `input` line by line, calling `each` with every line and its 1-based number.
pub fn for_each_line(
    mut input: impl Read,
    max_line: usize,
    mut each: impl FnMut(u64, Line<'_>),
) -> io::Result<()> {
    // Reads in large blocks: one system call per megabyte, and memchr runs over long slices.
    const BLOCK: usize = 1 << 20;
    let mut buffer = vec![0u8; BLOCK.max(max_line.saturating_add(1).min(BLOCK * 16))];
    let mut filled = 0;
    let mut number = 0u64;
    // While skipping a line that is too long: its length so far.
    let mut skipping: Option<u64> = None;
    loop {
        if filled == buffer.len() {
            // The buffer holds one unfinished line and it is full: it is too long.
            skipping = Some(skipping.unwrap_or(0) + filled as u64);
            filled = 0;
        }
        let read = match input.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        let end = filled + read;
        let mut start = 0;
        let mut search_from = filled;
        while let Some(at) = memchr::memchr(b'\n', &buffer[search_from..end]) {
            let newline = search_from + at;
            number += 1;
            match skipping.take() {
                Some(skipped) => each(number, Line::TooLong(skipped + (newline - start) as u64)),
                None if newline - start > max_line => {
                    each(number, Line::TooLong((newline - start) as u64))
                }
                None => each(number, Line::Complete(trim_cr(&buffer[start..newline]))),
            }
            start = newline + 1;
            search_from = start;
        }
        if skipping.is_some() {
            // Still inside the long line: drop what was read of it.
            skipping = skipping.map(|skipped| skipped + (end - start) as u64);
            filled = 0;
            continue;
        }
        if end - start > max_line {
            skipping = Some((end - start) as u64);
            filled = 0;
            continue;
        }
        buffer.copy_within(start..end, 0);
        filled = end - start;
    }
    if let Some(skipped) = skipping {
        each(number + 1, Line::TooLong(skipped + filled as u64));
    } else if filled > 0 {
        each(number + 1, Line::Complete(trim_cr(&buffer[..filled])));
    }
    Ok(())
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max_line: usize) -> Vec<String> {
        let mut seen = Vec::new();
        for_each_line(input, max_line, |number, line| {
            seen.push(match line {
                Line::Complete(text) => format!("{number}:{}", String::from_utf8_lossy(text)),
                Line::TooLong(length) => format!("{number}:too long {length}"),
            })
        })
        .unwrap();
        seen
    }

    #[test]
    fn lines_crlf_and_a_cut_last_line() {
        assert_eq!(
            lines(b"one\ntwo\r\n\nthr", 100),
            ["1:one", "2:two", "3:", "4:thr"]
        );
        assert!(lines(b"", 100).is_empty());
    }

    #[test]
    fn a_long_line_is_skipped_and_measured_and_the_next_is_read() {
        let mut input = vec![b'x'; 3 << 20];
        input.extend_from_slice(b"\nafter\n");
        input.extend(vec![b'y'; 2 << 20]);
        let seen = lines(&input, 1 << 20);
        assert_eq!(
            seen,
            [
                format!("1:too long {}", 3 << 20),
                "2:after".to_owned(),
                format!("3:too long {}", 2 << 20)
            ]
        );
    }

    /// A reader that hands out a few bytes at a time, as a pipe does.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            let n = self.0.len().min(buffer.len()).min(3);
            buffer[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn short_reads_make_the_same_lines() {
        let mut seen = Vec::new();
        for_each_line(Trickle(b"alpha\nbeta\ngamma"), 100, |_, line| {
            if let Line::Complete(text) = line {
                seen.push(String::from_utf8_lossy(text).into_owned());
            }
        })
        .unwrap();
        assert_eq!(seen, ["alpha", "beta", "gamma"]);
    }
}
