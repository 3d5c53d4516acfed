//! stdout for many request tasks at once. Handlers append their finished text
//! to a shared buffer; one writer thread swaps it out and writes it with a
//! single call, so under load many deliveries share one write and when idle
//! each appears at once. A full buffer makes handlers wait (backpressure, as a
//! blocking `println!` would). A closed stdout (`| head`) stops the listener.

use std::io::{self, Write};
use std::mem;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;

/// Above this much unwritten text, handlers wait for the writer.
const HIGH_WATER: usize = 4 << 20;
/// Buffers grown past this are released after use, keeping idle memory small.
const KEEP_CAPACITY: usize = 256 << 10;

#[derive(Default)]
struct State {
    buf: Vec<u8>,
    writer_waiting: bool,
    writers_blocked: usize,
    closed: bool,
    broken: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the writer thread.
    work: Condvar,
    /// Wakes handlers waiting for room.
    room: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The shared stdout writer.
pub struct Sink {
    shared: Arc<Shared>,
    thread: Mutex<Option<thread::JoinHandle<()>>>,
}

impl Sink {
    /// Starts the writer thread on `out`; `on_broken` runs once if `out` is closed by its reader.
    pub fn start<W, F>(mut out: W, on_broken: F) -> io::Result<Sink>
    where
        W: Write + Send + 'static,
        F: FnOnce() + Send + 'static,
    {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            work: Condvar::new(),
            room: Condvar::new(),
        });
        let s = shared.clone();
        let thread = thread::Builder::new().name("listen-stdout".into()).spawn(move || {
            let mut local = Vec::new();
            let mut on_broken = Some(on_broken);
            loop {
                {
                    let mut st = s.lock();
                    while st.buf.is_empty() && !st.closed {
                        st.writer_waiting = true;
                        st = s.work.wait(st).unwrap_or_else(|p| p.into_inner());
                    }
                    st.writer_waiting = false;
                    if st.buf.is_empty() {
                        return;
                    }
                    mem::swap(&mut st.buf, &mut local);
                    if st.writers_blocked > 0 {
                        s.room.notify_all();
                    }
                }
                let res = out.write_all(&local).and_then(|()| out.flush());
                local.clear();
                if local.capacity() > KEEP_CAPACITY {
                    local = Vec::new();
                }
                if let Err(e) = res {
                    // Nothing more can be shown; drop what comes next and stop the listener.
                    let mut st = s.lock();
                    st.broken = true;
                    st.buf = Vec::new();
                    s.room.notify_all();
                    drop(st);
                    if e.kind() == io::ErrorKind::BrokenPipe
                        && let Some(f) = on_broken.take()
                    {
                        f();
                    }
                    return;
                }
            }
        })?;
        Ok(Sink { shared, thread: Mutex::new(Some(thread)) })
    }

    /// Queues text for stdout.
    pub fn write(&self, text: &[u8]) {
        let mut st = self.shared.lock();
        while st.buf.len() >= HIGH_WATER && !st.broken && !st.closed {
            st.writers_blocked += 1;
            st = self.shared.room.wait(st).unwrap_or_else(|p| p.into_inner());
            st.writers_blocked -= 1;
        }
        // After `close` (or a closed stdout) nothing is written any more.
        if st.broken || st.closed {
            return;
        }
        st.buf.extend_from_slice(text);
        if st.writer_waiting {
            st.writer_waiting = false;
            self.shared.work.notify_one();
        }
    }

    /// Writes out everything queued, then stops the writer thread.
    pub fn close(&self) {
        {
            let mut st = self.shared.lock();
            st.closed = true;
            self.shared.work.notify_one();
            self.shared.room.notify_all();
        }
        let handle = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

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
            sink.write(&vec![b'x'; HIGH_WATER]);
        }
    }
}
