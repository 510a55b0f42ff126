//! Handler processes, from spawn to exit, on threads of their own: one thread per slot, each
//! running one handler at a time the way the spawn floor of `bench/run` runs `true` (spawn,
//! then wait), with the payload in and the output out. Spawning (`spawn`: vfork plus exec)
//! holds only its own thread until the child execs, and waiting is one `poll` on the child's
//! pipes and pidfd. A job handed to the pool while its slots are busy waits in the pool's
//! queue, so a slot's thread starts its next handler the moment the last one exited, without
//! a round trip through the runtime; the runtime's one thread hears of each job once it has
//! ended (and the next one started), settles it meanwhile, and keeps the time limits.
//!
//! Against tokio's child processes on the runtime thread (a pidfd, two pipes and three tasks in
//! its reactor per job, and every spawn and exit through the one thread) this costs less CPU per
//! job and keeps the thread free for the server's traffic.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::ExitStatusExt;
use std::process::ExitStatus;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::sync::oneshot;

use super::handler::{ending_of, killpg, Ending, Finished, Groups, Lines, Spec, Tail};
use super::report::Log;
use super::spawn;
use crate::dlq::entry::stderr_tail;

/// How long to wait for the rest of a handler's output once it exited (a child it left behind
/// may hold a pipe open); its output is still passed on after that, the job is settled
/// meanwhile.
const LINGER: Duration = Duration::from_millis(200);
/// The least a new pipe holds.
const PAGE: usize = 4096;
/// Without a pidfd (a kernel before 5.3), how often to ask whether the handler exited.
const EXIT_CHECK: Duration = Duration::from_millis(5);

/// What the runtime side and the handler's thread share: the handler's process group once it
/// is known, and the last signal asked for. Either side may come first: a signal asked for
/// before the spawn is sent by the thread right after it.
#[derive(Default)]
pub struct Control {
    pgid: AtomicI32,
    signal: AtomicI32,
}

impl Control {
    /// Sends `signal` to the handler's group (now, or as soon as it exists).
    pub fn signal(&self, signal: i32) {
        self.signal.store(signal, Ordering::SeqCst);
        let pgid = self.pgid.load(Ordering::SeqCst);
        if pgid > 0 {
            killpg(pgid, signal);
        }
    }

    fn started(&self, pgid: i32) {
        self.pgid.store(pgid, Ordering::SeqCst);
        let signal = self.signal.load(Ordering::SeqCst);
        if signal != 0 {
            killpg(pgid, signal);
        }
    }
}

/// The threads that run handlers, one per slot, and the jobs waiting for one.
pub struct Pool {
    shared: Arc<PoolShared>,
}

struct PoolShared {
    queue: Mutex<Queue>,
    ready: Condvar,
    /// The worker is stopping: jobs not started yet are handed back, not started.
    closing: AtomicBool,
}

#[derive(Default)]
struct Queue {
    works: VecDeque<Work>,
    /// Threads waiting for work.
    idle: usize,
    /// Dropped: the threads end once the queue is empty.
    ended: bool,
}

/// What a slot's thread is handed.
enum Work {
    /// A handler to spawn, then watch.
    Start(Run),
    /// A handler already spawned (by the runtime's thread, while a slot was idle) to watch.
    Watch(Box<Spawned>),
}

impl Pool {
    /// A pool of `slots` threads (started now, idle until jobs come).
    pub fn new(slots: usize) -> Pool {
        let shared = Arc::new(PoolShared {
            queue: Mutex::new(Queue::default()),
            ready: Condvar::new(),
            closing: AtomicBool::new(false),
        });
        for i in 0..slots.max(1) {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(format!("jq-nats-slot-{i}"))
                .stack_size(256 * 1024)
                .spawn(move || slot(&shared))
                .expect("a handler thread");
        }
        Pool { shared }
    }

    /// Hands a run to a slot. With a slot idle and nothing queued, the handler is spawned
    /// here and now, and only its watching goes to the slot's thread: a job that finds the
    /// worker idle starts without waiting for that thread to be woken (~0.1 ms here, more on
    /// a busy machine). Otherwise the slot that frees first spawns it. Runs are only ever
    /// handed over from one thread (the runtime's), so the idle slot is still idle when the
    /// spawned handler is handed to it.
    fn submit(&self, run: Run) {
        let inline = {
            let queue = self.shared.queue.lock().unwrap();
            queue.idle > 0 && queue.works.is_empty() && !self.shared.closing.load(Ordering::SeqCst)
        };
        let work = if inline {
            match spawn(run) {
                Some(spawned) => Work::Watch(Box::new(spawned)),
                None => return,
            }
        } else {
            Work::Start(run)
        };
        self.shared.queue.lock().unwrap().works.push_back(work);
        self.shared.ready.notify_one();
    }

    /// From now on, runs not started yet end as [`Ending::NotStarted`].
    pub fn close(&self) {
        self.shared.closing.store(true, Ordering::SeqCst);
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shared.queue.lock().unwrap().ended = true;
        self.shared.ready.notify_all();
    }
}

/// A slot's thread: runs what is queued, one at a time, until the pool is dropped. How its
/// last handler ended is told once the next one is started (or nothing is queued): telling
/// wakes the runtime's thread, which on a busy machine would hold up the next start.
fn slot(shared: &PoolShared) {
    let mut ended: Option<Ended> = None;
    loop {
        let next = {
            let mut queue = shared.queue.lock().unwrap();
            loop {
                if let Some(work) = queue.works.pop_front() {
                    break work;
                }
                if let Some(last) = ended.take() {
                    drop(queue);
                    last.tell();
                    queue = shared.queue.lock().unwrap();
                    continue;
                }
                if queue.ended {
                    return;
                }
                queue.idle += 1;
                queue = shared.ready.wait(queue).unwrap();
                queue.idle -= 1;
            }
        };
        let spawned = match next {
            Work::Watch(spawned) => Some(*spawned),
            // Stopping, or this job's stop came while it waited: handed back, never started.
            Work::Start(run)
                if shared.closing.load(Ordering::SeqCst)
                    || run.control.signal.load(Ordering::SeqCst) != 0 =>
            {
                let _ = run.done.send(Finished {
                    ending: Ending::NotStarted,
                    stderr_tail: None,
                    elapsed: Duration::ZERO,
                });
                None
            }
            Work::Start(run) => spawn(run),
        };
        if let Some(last) = ended.take() {
            last.tell();
        }
        ended = spawned.map(watch);
    }
}

/// How a handler ended, to be told on its channel.
struct Ended {
    done: oneshot::Sender<Finished>,
    finished: Finished,
}

impl Ended {
    fn tell(self) {
        let _ = self.done.send(self.finished);
    }
}

/// A handler to run on the pool.
pub struct Handler {
    pub spec: Arc<Spec>,
    pub env: Vec<(String, String)>,
    pub payload: Bytes,
    /// Whether the handler's stdout is read and passed on a line at a time (else it is ours).
    pub relay_stdout: bool,
    pub control: Arc<Control>,
    pub groups: Groups,
    pub log: Arc<Log>,
}

impl Pool {
    /// Queues `h` for the next free slot. The first receiver says when its process started
    /// (its time limit counts from then; dropped if it never does), the second how it ended.
    pub fn start(&self, h: Handler) -> (oneshot::Receiver<()>, oneshot::Receiver<Finished>) {
        let (started_tx, started) = oneshot::channel();
        let (done_tx, done) = oneshot::channel();
        self.submit(Run {
            spec: h.spec,
            env: h.env,
            payload: h.payload,
            relay_stdout: h.relay_stdout,
            control: h.control,
            groups: h.groups,
            log: h.log,
            started: started_tx,
            done: done_tx,
        });
        (started, done)
    }
}

/// One handler run, as handed to its thread.
struct Run {
    spec: Arc<Spec>,
    env: Vec<(String, String)>,
    payload: Bytes,
    relay_stdout: bool,
    control: Arc<Control>,
    groups: Groups,
    log: Arc<Log>,
    started: oneshot::Sender<()>,
    done: oneshot::Sender<Finished>,
}

/// A handler spawned and what its watching needs.
struct Spawned {
    /// The handler, leader of its own process group.
    pid: i32,
    payload: Payload,
    outputs: Vec<Output>,
    /// Readable once the handler exited (`None`: no pidfd on this kernel).
    exit: Option<OwnedFd>,
    tail: Arc<Mutex<Tail>>,
    groups: Groups,
    started: Instant,
    done: oneshot::Sender<Finished>,
}

/// Spawns the handler; if it cannot be, says so on `done` and returns `None`.
fn spawn(job: Run) -> Option<Spawned> {
    let done = job.done;
    let started = Instant::now();
    let failed = |e: std::io::Error| Finished {
        ending: Ending::FailedToStart(e.to_string()),
        stderr_tail: None,
        elapsed: started.elapsed(),
    };
    let (stdin, payload) = match Payload::new(job.payload) {
        Ok(p) => p,
        Err(e) => {
            let _ = done.send(failed(e));
            return None;
        }
    };
    let spec = &job.spec;
    // Our ends and the child's, of its stderr and (relayed) stdout.
    let pipes = (|| -> std::io::Result<_> {
        let stderr = pipe()?;
        let stdout = if job.relay_stdout {
            Some(pipe()?)
        } else {
            None
        };
        let launch = spawn::Launch::new(&spec.argv, &spec.inherited, job.env)?;
        Ok((launch, stderr, stdout))
    })();
    let (launch, (stderr, stderr_w), stdout) = match pipes {
        Ok(p) => p,
        Err(e) => {
            let _ = done.send(failed(e));
            return None;
        }
    };
    let (stdout, stdout_w) = stdout.unzip();
    let stdio = [
        stdin.as_raw_fd(),
        stdout_w.as_ref().map_or(-1, |w| w.as_raw_fd()),
        stderr_w.as_raw_fd(),
    ];
    let pid = match spawn::spawn(&launch, stdio) {
        Ok(pid) => pid,
        Err(e) => {
            let _ = done.send(failed(e));
            return None;
        }
    };
    // The child's ends are its own now.
    drop((stdin, stderr_w, stdout_w));
    job.groups.add(pid);
    job.control.started(pid);
    let _ = job.started.send(());

    let tail = Arc::new(Mutex::new(Tail::default()));
    let mut outputs = Vec::with_capacity(2);
    {
        let log = job.log.clone();
        outputs.push(Output {
            pipe: stderr.into(),
            lines: Lines::new(Some(tail.clone()), Box::new(move |l| log.handler_stderr(l))),
        });
    }
    if let Some(stdout) = stdout {
        let log = job.log.clone();
        let to_stderr = spec.stdout_to_stderr;
        outputs.push(Output {
            pipe: stdout.into(),
            lines: Lines::new(
                None,
                Box::new(move |l| {
                    if to_stderr {
                        log.handler_stderr(l)
                    } else {
                        log.handler_stdout(l)
                    }
                }),
            ),
        });
    }
    Some(Spawned {
        exit: pidfd(pid),
        pid,
        payload,
        outputs,
        tail,
        groups: job.groups,
        started,
        done,
    })
}

/// Watches a spawned handler to its end and returns how it went, for its `done`; output still
/// coming from whatever it left holding its pipes is passed on by a thread of its own.
fn watch(spawned: Spawned) -> Ended {
    let Spawned {
        pid,
        mut payload,
        mut outputs,
        exit,
        tail,
        groups,
        started,
        done,
    } = spawned;
    let status = loop {
        let mut fds: Vec<libc::pollfd> = Vec::with_capacity(4);
        let exit_at = exit
            .as_ref()
            .map(|fd| push(&mut fds, fd.as_raw_fd(), libc::POLLIN));
        let payload_at = payload
            .pending()
            .map(|fd| push(&mut fds, fd, libc::POLLOUT));
        let outputs_at = fds.len();
        for out in &outputs {
            push(&mut fds, out.pipe.as_raw_fd(), libc::POLLIN);
        }
        let timeout = if exit.is_some() {
            None
        } else {
            Some(EXIT_CHECK)
        };
        poll(&mut fds, timeout);
        if let Some(i) = payload_at {
            if fds[i].revents != 0 {
                payload.write();
            }
        }
        read_ready(&mut outputs, &fds[outputs_at..]);
        let exited = match exit_at {
            Some(i) => fds[i].revents != 0,
            None => true,
        };
        if exited {
            match try_wait(pid) {
                Ok(Some(status)) => break Ok(status),
                Ok(None) => {}
                Err(e) => break Err(e),
            }
        }
    };
    drop(payload);
    groups.remove(pid);

    // The rest of its output, for a short while: a child it left behind may keep a pipe open.
    let deadline = Instant::now() + LINGER;
    while !outputs.is_empty() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        pass_on(&mut outputs, Some(left));
    }
    let finished = Finished {
        ending: match status {
            Ok(status) => ending_of(status),
            Err(e) => Ending::FailedToStart(format!("failed to wait for the handler: {e}")),
        },
        stderr_tail: stderr_tail(&tail.lock().unwrap().0),
        elapsed: started.elapsed(),
    };
    if !outputs.is_empty() {
        // The slot goes on with its next job.
        std::thread::spawn(move || relay(outputs));
    }
    Ended { done, finished }
}

/// Passes on what comes from pipes a finished handler left open, until they close.
fn relay(mut outputs: Vec<Output>) {
    while !outputs.is_empty() {
        pass_on(&mut outputs, None);
    }
}

/// Waits up to `timeout` (forever: `None`) for output and passes on what came.
fn pass_on(outputs: &mut Vec<Output>, timeout: Option<Duration>) {
    let mut fds: Vec<libc::pollfd> = Vec::with_capacity(outputs.len());
    for out in outputs.iter() {
        push(&mut fds, out.pipe.as_raw_fd(), libc::POLLIN);
    }
    poll(&mut fds, timeout);
    read_ready(outputs, &fds);
}

/// The payload on the handler's stdin: written into the pipe before the spawn when it fits
/// (so nothing is left to do for it afterwards, the usual case), the rest as the handler reads.
struct Payload {
    pipe: Option<File>,
    bytes: Bytes,
}

impl Payload {
    /// The handler's end of the pipe, and ours with what is still to be written.
    fn new(bytes: Bytes) -> std::io::Result<(OwnedFd, Payload)> {
        let (read, write) = pipe()?;
        // Non-blocking: a handler that does not read its stdin must not hold the thread. A
        // payload of a page or less always fits a new pipe (even one the kernel cut down to a
        // page for a user over its pipe quota), so the usual one is written without that.
        if bytes.len() > PAGE {
            set_nonblocking(write.as_raw_fd())?;
        }
        let mut payload = Payload {
            pipe: Some(write.into()),
            bytes,
        };
        payload.write();
        Ok((read, payload))
    }

    /// Our end of the pipe while there is more to write.
    fn pending(&self) -> Option<RawFd> {
        self.pipe.as_ref().map(|p| p.as_raw_fd())
    }

    /// Writes what the pipe takes; closes it when all is written or the handler closed its end.
    fn write(&mut self) {
        let Some(pipe) = &mut self.pipe else { return };
        while !self.bytes.is_empty() {
            match pipe.write(&self.bytes) {
                Ok(n) => {
                    let _ = self.bytes.split_to(n);
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                // The handler closed its stdin (or exited): the rest is not wanted.
                Err(_) => break,
            }
        }
        self.pipe = None;
    }
}

/// One of the handler's output pipes and where its lines go.
struct Output {
    pipe: File,
    lines: Lines,
}

/// Reads the outputs `fds` says are ready (in the same order), dropping those at their end.
fn read_ready(outputs: &mut Vec<Output>, fds: &[libc::pollfd]) {
    let mut buf = [0u8; 8192];
    let mut ended = Vec::new();
    for (i, (out, fd)) in outputs.iter_mut().zip(fds).enumerate() {
        if fd.revents == 0 {
            continue;
        }
        match out.pipe.read(&mut buf) {
            Ok(0) => ended.push(i),
            Ok(n) => out.lines.push(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => ended.push(i),
        }
    }
    for i in ended.into_iter().rev() {
        outputs.remove(i).lines.finish();
    }
}

fn push(fds: &mut Vec<libc::pollfd>, fd: RawFd, events: libc::c_short) -> usize {
    fds.push(libc::pollfd {
        fd,
        events,
        revents: 0,
    });
    fds.len() - 1
}

/// Waits until one of `fds` is ready or `timeout` (forever: `None`) passed.
fn poll(fds: &mut [libc::pollfd], timeout: Option<Duration>) {
    let ms = timeout.map_or(-1, |t| t.as_millis().clamp(1, i32::MAX as u128) as i32);
    // SAFETY: `fds` is a valid, exclusively borrowed slice of pollfd for the call.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
    if n < 0 {
        // EINTR: nothing is ready, the caller looks again.
        for fd in fds.iter_mut() {
            fd.revents = 0;
        }
    }
}

fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two descriptors into the array it is given.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just created and are owned by nothing else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn set_nonblocking(fd: RawFd) -> std::io::Result<()> {
    // SAFETY: fcntl on a descriptor we own, with flags of its own.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// How the child `pid` ended, if it has.
fn try_wait(pid: i32) -> std::io::Result<Option<ExitStatus>> {
    let mut status = 0;
    loop {
        // SAFETY: waitpid on our own child, writing into a local.
        match unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) } {
            0 => return Ok(None),
            n if n == pid => return Ok(Some(ExitStatus::from_raw(status))),
            _ => {
                let e = std::io::Error::last_os_error();
                if e.kind() != ErrorKind::Interrupted {
                    return Err(e);
                }
            }
        }
    }
}

/// A descriptor that is readable once the child `pid` exited (`None` where the kernel has no
/// pidfd: exits are then looked for every [`EXIT_CHECK`]).
fn pidfd(pid: i32) -> Option<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return None;
    }
    // SAFETY: a new descriptor owned by nothing else.
    Some(unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}
