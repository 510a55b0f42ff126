//! Starting a handler process: what glibc's `posix_spawn` (behind std's `Command`) does, a
//! child sharing our memory (`clone` with `CLONE_VM | CLONE_VFORK`) that sets itself up and
//! execs, but on a stack each thread keeps for all its spawns.
//!
//! `posix_spawn` maps a fresh stack for every child and unmaps it after. In a process whose
//! other threads are running on other CPUs (the runtime's thread, the other slots), each unmap
//! makes the kernel interrupt those CPUs to flush their TLBs, and on a virtual machine the
//! interrupt and the wait for every CPU to answer cost more than the rest of the spawn: a
//! profile of `work -c 1 -- true` put ~39% of the slot thread's CPU there (the spawn floor of
//! `bench/run` at `-c 1` pays nothing for it, having no other thread running).
//!
//! The child runs on that stack in our address space while its parent thread is suspended
//! (until it execs or exits), so it only makes raw system calls: it puts back the default
//! action of every signal we catch (a handler of ours must not run in it), joins a process
//! group of its own, moves its pipes onto 0, 1 and 2, unblocks signals and execs. If the
//! exec fails it leaves the error in memory we share and exits 127.

use std::cell::RefCell;
use std::ffi::{CStr, CString, OsString};
use std::io;
use std::os::fd::RawFd;
use std::os::unix::ffi::OsStrExt;
use std::ptr;

/// The child's stack. Its own code needs a few hundred bytes; glibc gives its children 32 KiB
/// plus the arguments' size, for the same work.
const STACK: usize = 64 * 1024;

thread_local! {
    static STACK_OF_THREAD: RefCell<Option<Box<[u128]>>> = const { RefCell::new(None) };
}

/// Our environment as a handler inherits it, without the `hidden` variables: `NAME=value`
/// entries, made once for all the handlers.
pub fn inherited(
    ours: impl Iterator<Item = (OsString, OsString)>,
    hidden: &[OsString],
) -> Vec<CString> {
    ours.filter(|(name, _)| !hidden.contains(name))
        // The environment we were given holds C strings: none has a NUL byte to refuse.
        .filter_map(|(name, value)| CString::new(entry(name.as_bytes(), value.as_bytes())).ok())
        .collect()
}

/// A program and what it gets, as the child needs them: C strings.
pub struct Launch<'a> {
    /// `argv[0]` is the program's path.
    argv: Vec<CString>,
    inherited: &'a [CString],
    /// The job's own variables, which replace inherited ones of the same name.
    extra: Vec<CString>,
}

impl<'a> Launch<'a> {
    /// `argv[0]` is the program's path (found once, before any job); `extra` goes on top of
    /// the `inherited` environment.
    pub fn new(
        argv: &[String],
        inherited: &'a [CString],
        extra: Vec<(String, String)>,
    ) -> io::Result<Launch<'a>> {
        let cstr = |bytes: Vec<u8>| {
            CString::new(bytes).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "a NUL byte in the handler's arguments or environment: {:?}",
                        String::from_utf8_lossy(&e.into_vec())
                    ),
                )
            })
        };
        if argv.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "no program to run",
            ));
        }
        let argv = argv
            .iter()
            .map(|a| cstr(a.clone().into_bytes()))
            .collect::<io::Result<Vec<_>>>()?;
        let extra = extra
            .iter()
            .map(|(name, value)| cstr(entry(name.as_bytes(), value.as_bytes())))
            .collect::<io::Result<Vec<_>>>()?;
        Ok(Launch {
            argv,
            inherited,
            extra,
        })
    }

    /// The handler's environment: the inherited entries `extra` does not replace, then `extra`.
    fn env(&self) -> impl Iterator<Item = &CStr> {
        self.inherited
            .iter()
            .map(CString::as_c_str)
            .filter(move |e| !self.extra.iter().any(|x| name(x) == name(e)))
            .chain(self.extra.iter().map(CString::as_c_str))
    }
}

/// The name of a `NAME=value` entry.
fn name(entry: &CStr) -> &[u8] {
    let e = entry.to_bytes();
    &e[..e.iter().position(|&b| b == b'=').unwrap_or(e.len())]
}

fn entry(name: &[u8], value: &[u8]) -> Vec<u8> {
    let mut e = Vec::with_capacity(name.len() + 1 + value.len());
    e.extend_from_slice(name);
    e.push(b'=');
    e.extend_from_slice(value);
    e
}

/// `strings` as the null-terminated array of pointers exec takes.
fn pointers<'s>(strings: impl Iterator<Item = &'s CStr>) -> Vec<*const libc::c_char> {
    strings.map(CStr::as_ptr).chain([ptr::null()]).collect()
}

/// What the child reads (and, on a failed exec, writes): shared with it through `CLONE_VM`.
#[repr(C)]
struct ChildArgs {
    program: *const libc::c_char,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
    /// The descriptors to become 0, 1 and 2; -1 keeps ours.
    stdio: [RawFd; 3],
    /// errno of the failed step, 0 if it exec'd.
    err: libc::c_int,
}

/// Starts `launch` in a new process group of its own, with `stdio` as its 0, 1 and 2 (-1:
/// ours), and returns its pid. The descriptors must be 3 or above (std keeps 0, 1 and 2 open,
/// so new ones are) and are left open here.
///
/// A program the kernel cannot exec (a script without `#!`: `ENOEXEC`) is run by `/bin/sh`,
/// as a shell and `execvp` do.
pub fn spawn(launch: &Launch, stdio: [RawFd; 3]) -> io::Result<libc::pid_t> {
    let envp = pointers(launch.env());
    let argv = pointers(launch.argv.iter().map(CString::as_c_str));
    match spawn_with(&argv, &envp, stdio) {
        Err(e) if e.raw_os_error() == Some(libc::ENOEXEC) => {
            let argv = pointers(
                [SH].into_iter()
                    .chain(launch.argv.iter().map(CString::as_c_str)),
            );
            spawn_with(&argv, &envp, stdio)
        }
        result => result,
    }
}

/// What runs a program the kernel cannot exec.
const SH: &CStr = c"/bin/sh";

fn spawn_with(
    argv: &[*const libc::c_char],
    envp: &[*const libc::c_char],
    stdio: [RawFd; 3],
) -> io::Result<libc::pid_t> {
    let mut args = ChildArgs {
        program: argv[0],
        argv: argv.as_ptr(),
        envp: envp.as_ptr(),
        stdio,
        err: 0,
    };
    STACK_OF_THREAD.with(|stack| {
        let mut stack = stack.borrow_mut();
        let stack = stack.get_or_insert_with(|| vec![0u128; STACK / 16].into_boxed_slice());
        // The stack grows down from its end, which is 16-byte aligned (u128 elements).
        let top = stack.as_mut_ptr_range().end as *mut libc::c_void;
        // SAFETY: sigset_t is plain data, filled by sigfillset before use.
        let mut all: libc::sigset_t = unsafe { std::mem::zeroed() };
        let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
        // SAFETY: blocking every signal on this thread (restored below) keeps any handler from
        // running in the child before it has put back the default actions. The child runs
        // `child` on `stack`, which nothing else uses while this thread is suspended in
        // clone (CLONE_VFORK) until the child execs or exits; `args` and the arrays it points
        // to outlive the call.
        let (pid, clone_err) = unsafe {
            libc::sigfillset(&mut all);
            libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
            let pid = libc::clone(
                child,
                top,
                libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD,
                &mut args as *mut ChildArgs as *mut libc::c_void,
            );
            let clone_err = io::Error::last_os_error();
            libc::pthread_sigmask(libc::SIG_SETMASK, &old, ptr::null_mut());
            (pid, clone_err)
        };
        if pid < 0 {
            return Err(clone_err);
        }
        // SAFETY: the child has exec'd or exited: nothing writes `args` any more.
        let err = unsafe { ptr::read_volatile(&args.err) };
        if err != 0 {
            let mut status = 0;
            // SAFETY: reaping our own child, which exited.
            unsafe { libc::waitpid(pid, &mut status, 0) };
            return Err(io::Error::from_raw_os_error(err));
        }
        Ok(pid)
    })
}

/// The child, until exec: raw system calls only (it runs in its parent's memory, on its
/// parent thread's TLS, with every signal blocked).
extern "C" fn child(arg: *mut libc::c_void) -> libc::c_int {
    // SAFETY: `arg` is the parent's ChildArgs, alive while the parent waits in clone.
    let args = unsafe { &mut *(arg as *mut ChildArgs) };
    // SAFETY: system calls on our own process with valid arguments.
    unsafe {
        // Default actions for what we catch, and for SIGPIPE (which the Rust runtime ignores
        // and std gives back to children); what we ignore stays ignored, as std leaves it.
        for sig in 1..=libc::SIGRTMAX() {
            if sig == libc::SIGKILL || sig == libc::SIGSTOP {
                continue;
            }
            let mut sa: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(sig, ptr::null(), &mut sa) != 0 {
                continue;
            }
            let caught = sa.sa_sigaction != libc::SIG_DFL && sa.sa_sigaction != libc::SIG_IGN;
            if caught || (sig == libc::SIGPIPE && sa.sa_sigaction == libc::SIG_IGN) {
                let mut dfl: libc::sigaction = std::mem::zeroed();
                dfl.sa_sigaction = libc::SIG_DFL;
                if libc::sigaction(sig, &dfl, ptr::null_mut()) != 0 {
                    return fail(args);
                }
            }
        }
        if libc::setpgid(0, 0) != 0 {
            return fail(args);
        }
        for (target, &fd) in args.stdio.iter().enumerate() {
            if fd >= 0 && libc::dup2(fd, target as RawFd) < 0 {
                return fail(args);
            }
        }
        let mut none: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut none);
        libc::pthread_sigmask(libc::SIG_SETMASK, &none, ptr::null_mut());
        libc::execve(args.program, args.argv, args.envp);
        fail(args)
    }
}

/// Leaves errno for the parent and exits without running anything of ours.
fn fail(args: &mut ChildArgs) -> libc::c_int {
    // SAFETY: reading errno and exiting the child; `args` is the parent's.
    unsafe {
        args.err = *libc::__errno_location();
        if args.err == 0 {
            args.err = libc::EINVAL;
        }
        libc::_exit(127)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_drops_the_hidden_and_lets_extra_replace() {
        let ours = vec![
            ("PATH".into(), "/bin".into()),
            ("NATS_PASSWORD".into(), "s3cret".into()),
            ("JQ_NATS_ATTEMPT".into(), "9".into()),
        ];
        let inherited = inherited(ours.into_iter(), &["NATS_PASSWORD".into()]);
        let launch = Launch::new(
            &["/bin/true".into()],
            &inherited,
            vec![("JQ_NATS_ATTEMPT".into(), "1".into())],
        )
        .unwrap();
        let env: Vec<&[u8]> = launch.env().map(CStr::to_bytes).collect();
        assert_eq!(env, vec![&b"PATH=/bin"[..], &b"JQ_NATS_ATTEMPT=1"[..]]);
    }

    #[test]
    fn a_failed_exec_is_an_error_naming_why() {
        let launch = Launch::new(&["/nonexistent/handler".into()], &[], vec![]).unwrap();
        let err = spawn(&launch, [-1, -1, -1]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn a_child_gets_its_arguments_environment_and_group() {
        let launch = Launch::new(
            &[
                "/bin/sh".into(),
                "-c".into(),
                "test \"$1\" = one && test \"$X\" = y && test $(cut -d' ' -f5 /proc/$$/stat) -eq $$".into(),
                "sh".into(),
                "one".into(),
            ],
            &[],
            vec![("X".into(), "y".into()), ("PATH".into(), "/usr/bin:/bin".into())],
        )
        .unwrap();
        let pid = spawn(&launch, [-1, -1, -1]).unwrap();
        let mut status = 0;
        // SAFETY: reaping the child just started.
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "{status:#x}"
        );
    }

    #[test]
    fn a_child_starts_with_no_signal_blocked_and_sigpipe_not_ignored() {
        use std::io::Read;
        use std::os::fd::{FromRawFd, OwnedFd};
        // This test process ignores SIGPIPE (the Rust runtime does), and spawn blocks every
        // signal around the clone: neither may reach the program.
        let mut fds = [0; 2];
        // SAFETY: pipe2 fills the array with two new descriptors, owned below.
        assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
        let (r, w) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let launch = Launch::new(
            &["/bin/cat".into(), "/proc/self/status".into()],
            &[],
            vec![],
        )
        .unwrap();
        let pid = spawn(&launch, [-1, fds[1], -1]).unwrap();
        drop(w);
        let mut status = String::new();
        std::fs::File::from(r).read_to_string(&mut status).unwrap();
        // SAFETY: reaping the child just started.
        unsafe { libc::waitpid(pid, ptr::null_mut(), 0) };
        let mask = |name: &str| {
            let line = status.lines().find(|l| l.starts_with(name)).unwrap();
            u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
        };
        assert_eq!(mask("SigBlk:"), 0, "{status}");
        assert_eq!(mask("SigIgn:") & (1 << (libc::SIGPIPE - 1)), 0, "{status}");
    }
}
