//! stdout for many request tasks at once. Each finished line (or human block)
//! is written by the handler itself, under a lock, with one write call: the
//! same cost as a `println!`, and no hand-off to another thread (waking a writer
//! thread per line costs a context switch per delivery, which dominated the
//! profile under load). A slow reader of stdout slows the handlers down, as a
//! blocking `println!` would. A closed stdout (`| head`) stops the listener.

use std::io::{self, Write};
use std::sync::Mutex;

type OnBroken = Box<dyn FnOnce() + Send>;

struct Inner {
    out: Box<dyn Write + Send>,
    on_broken: Option<OnBroken>,
    broken: bool,
}

/// The shared stdout writer.
pub struct Sink {
    inner: Mutex<Inner>,
}

impl Sink {
    /// A sink writing to `out`; `on_broken` runs once if the reader goes away.
    pub fn start<W, F>(out: W, on_broken: F) -> io::Result<Sink>
    where
        W: Write + Send + 'static,
        F: FnOnce() + Send + 'static,
    {
        Ok(Sink {
            inner: Mutex::new(Inner {
                out: Box::new(out),
                on_broken: Some(Box::new(on_broken)),
                broken: false,
            }),
        })
    }

    /// Writes `text` (whole lines) and flushes it, so it shows at once.
    pub fn write(&self, text: &[u8]) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.broken {
            return;
        }
        let res = inner.out.write_all(text).and_then(|()| inner.out.flush());
        if let Err(e) = res {
            inner.broken = true;
            if e.kind() == io::ErrorKind::BrokenPipe
                && let Some(f) = inner.on_broken.take()
            {
                f();
            }
        }
    }

    /// Flushes what is left (every write already flushed; kept for symmetry
    /// with shutdown, which calls it last).
    pub fn close(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if !inner.broken {
            let _ = inner.out.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    use std::thread;

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn writes_everything_in_order_from_many_threads() {
        let out = Shared::default();
        let sink = Arc::new(Sink::start(out.clone(), || {}).unwrap());
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let sink = sink.clone();
                thread::spawn(move || {
                    for i in 0..1000 {
                        sink.write(format!("{t} {i}\n").as_bytes());
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        sink.close();
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert_eq!(text.lines().count(), 4000);
        for t in 0..4 {
            let mine: Vec<usize> = text
                .lines()
                .filter_map(|l| l.split_once(' '))
                .filter(|(a, _)| *a == t.to_string())
                .map(|(_, b)| b.parse().unwrap())
                .collect();
            assert_eq!(mine, (0..1000).collect::<Vec<_>>());
        }
    }

    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn broken_pipe_calls_back_and_never_blocks() {
        let called = Arc::new(AtomicBool::new(false));
        let c = called.clone();
        let sink = Sink::start(Broken, move || c.store(true, Ordering::SeqCst)).unwrap();
        sink.write(b"line\n");
        sink.close();
        assert!(called.load(Ordering::SeqCst));
        // Later writes are dropped without waiting.
        for _ in 0..10 {
            sink.write(&vec![b'x'; 1 << 20]);
        }
    }
}
