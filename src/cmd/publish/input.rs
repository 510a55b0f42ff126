//! Jobs from stdin, read on a thread of its own so a blocked read never holds up acks, output
//! or shutdown: bytes in, one job per line (or all of stdin as one job), byte-exact.
//!
//! Lines are cut out of large read buffers without copying. Memory stays bounded whatever the
//! input size: a few read buffers queued, plus what the publish window holds. A line longer
//! than `limit` (the server's max_payload) is dropped while it streams past and reported by
//! its size, so even a gigantic line cannot grow memory.

use std::io::{ErrorKind, Read};

use bytes::{Bytes, BytesMut};
use tokio::sync::mpsc;

use crate::cli::SendOn;

/// What the reader found, in input order.
#[derive(Debug)]
pub enum Input {
    /// A job: a line without its "\n" (and a "\r" before it), or all of stdin.
    Line(Bytes),
    /// A job of this many bytes, over the limit: not kept.
    TooLarge(u64),
    /// Reading stdin failed; nothing follows.
    Failed(std::io::Error),
}

/// How much is asked of one read (the buffer grows in these steps).
const CHUNK: usize = 64 * 1024;
/// The most one read may fill, so a growing buffer for a long line is not zeroed over and over.
const MAX_READ: usize = 256 * 1024;
/// Read batches queued between the reader thread and the publisher.
const QUEUE: usize = 4;

/// Starts reading `source` on a thread; batches of inputs arrive on the receiver, which closes
/// at the end of the input.
pub fn spawn<R: Read + Send + 'static>(
    source: R,
    send_on: SendOn,
    limit: usize,
) -> mpsc::Receiver<Vec<Input>> {
    let (tx, rx) = mpsc::channel(QUEUE);
    std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || match send_on {
            SendOn::Newline => read_lines(source, limit, &tx),
            SendOn::Eof => read_all(source, limit, &tx),
        })
        .expect("failed to start the stdin reader thread");
    rx
}

/// Reads once into the spare room of `buf`: Some(bytes read, 0 at the end), None on error
/// (already sent).
fn fill<R: Read>(r: &mut R, buf: &mut BytesMut, tx: &mpsc::Sender<Vec<Input>>) -> Option<usize> {
    if buf.capacity() - buf.len() < CHUNK / 4 {
        buf.reserve(CHUNK);
    }
    let start = buf.len();
    let room = (buf.capacity() - start).min(MAX_READ);
    buf.resize(start + room, 0);
    loop {
        match r.read(&mut buf[start..]) {
            Ok(n) => {
                buf.truncate(start + n);
                return Some(n);
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                buf.truncate(start);
                let _ = tx.blocking_send(vec![Input::Failed(e)]);
                return None;
            }
        }
    }
}

fn read_lines<R: Read>(mut r: R, limit: usize, tx: &mpsc::Sender<Vec<Input>>) {
    let mut buf = BytesMut::with_capacity(CHUNK);
    // Bytes of `buf` already searched for a newline.
    let mut scanned = 0;
    // Bytes of an over-long line dropped so far.
    let mut dropped: Option<u64> = None;
    loop {
        let Some(n) = fill(&mut r, &mut buf, tx) else {
            return;
        };
        let mut batch = Vec::new();
        if n == 0 {
            if let Some(d) = dropped {
                batch.push(Input::TooLarge(d + buf.len() as u64));
            } else if !buf.is_empty() {
                // The last line, without a newline: kept as it is.
                batch.push(job(buf.split().freeze(), limit));
            }
            if !batch.is_empty() {
                let _ = tx.blocking_send(batch);
            }
            return;
        }
        while let Some(pos) = buf[scanned..].iter().position(|&b| b == b'\n') {
            let end = scanned + pos;
            let mut line = buf.split_to(end + 1);
            scanned = 0;
            line.truncate(end);
            if line.last() == Some(&b'\r') {
                line.truncate(end - 1);
            }
            match dropped.take() {
                Some(d) => batch.push(Input::TooLarge(d + line.len() as u64)),
                None => batch.push(job(line.freeze(), limit)),
            }
        }
        scanned = buf.len();
        // An unfinished line already over the limit (plus a possible "\r"): drop what we have.
        if buf.len() > limit.saturating_add(1) {
            *dropped.get_or_insert(0) += buf.len() as u64;
            buf.clear();
            scanned = 0;
        }
        if !batch.is_empty() && tx.blocking_send(batch).is_err() {
            // The publisher stopped listening.
            return;
        }
    }
}

fn job(line: Bytes, limit: usize) -> Input {
    if line.len() > limit {
        Input::TooLarge(line.len() as u64)
    } else {
        Input::Line(line)
    }
}

fn read_all<R: Read>(mut r: R, limit: usize, tx: &mpsc::Sender<Vec<Input>>) {
    let mut buf = BytesMut::with_capacity(CHUNK);
    let mut dropped: Option<u64> = None;
    loop {
        let Some(n) = fill(&mut r, &mut buf, tx) else {
            return;
        };
        if n == 0 {
            let input = match dropped {
                Some(d) => Input::TooLarge(d + buf.len() as u64),
                None => Input::Line(buf.split().freeze()),
            };
            let _ = tx.blocking_send(vec![input]);
            return;
        }
        if buf.len() > limit {
            *dropped.get_or_insert(0) += buf.len() as u64;
            buf.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader handing out its data in pieces of `step` bytes, like a pipe.
    struct Trickle {
        data: Vec<u8>,
        pos: usize,
        step: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len() - self.pos);
            out[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    fn collect(data: &[u8], step: usize, send_on: SendOn, limit: usize) -> Vec<String> {
        let source = Trickle {
            data: data.to_vec(),
            pos: 0,
            step,
        };
        let mut rx = spawn(source, send_on, limit);
        let mut out = Vec::new();
        while let Some(batch) = rx.blocking_recv() {
            for input in batch {
                out.push(match input {
                    Input::Line(b) => format!("{:?}", b),
                    Input::TooLarge(n) => format!("too large {n}"),
                    Input::Failed(e) => format!("failed {e}"),
                });
            }
        }
        out
    }

    #[test]
    fn lines_split_strip_crlf_and_keep_bytes() {
        let data = b"a\r\n\nb\xff\x00c\nlast\r";
        for step in [1, 2, 3, 1000] {
            assert_eq!(
                collect(data, step, SendOn::Newline, 100),
                vec![r#"b"a""#, r#"b"""#, r#"b"b\xff\0c""#, r#"b"last\r""#],
                "step {step}"
            );
        }
    }

    #[test]
    fn over_long_lines_are_dropped_and_measured() {
        let mut data = b"ok\n".to_vec();
        data.extend(vec![b'x'; 10_000]);
        data.extend(b"\nfine\n");
        data.extend(vec![b'y'; 50]);
        for step in [7, 4096, 100_000] {
            assert_eq!(
                collect(&data, step, SendOn::Newline, 20),
                vec![r#"b"ok""#, "too large 10000", r#"b"fine""#, "too large 50"],
                "step {step}"
            );
        }
    }

    #[test]
    fn eof_mode_is_one_exact_job() {
        let data = b"line one\r\nline two\n\x00\xfe";
        assert_eq!(
            collect(data, 3, SendOn::Eof, 100),
            vec![r#"b"line one\r\nline two\n\0\xfe""#]
        );
        assert_eq!(collect(b"", 3, SendOn::Eof, 100), vec![r#"b"""#]);
        assert_eq!(
            collect(&[b'z'; 500], 64, SendOn::Eof, 100),
            vec!["too large 500"]
        );
    }

    #[test]
    fn many_lines_across_buffer_boundaries() {
        let text: String = (1..=50_000).map(|i| format!("{i}\n")).collect();
        let lines = collect(text.as_bytes(), 65_536, SendOn::Newline, 1 << 20);
        assert_eq!(lines.len(), 50_000);
        assert_eq!(lines[0], r#"b"1""#);
        assert_eq!(lines[49_999], r#"b"50000""#);
        assert_eq!(lines[12_345], r#"b"12346""#);
    }
}
