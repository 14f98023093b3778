//! Running a renderer (`kustomize build`, `kubectl kustomize`, `helm
//! template`) as a child process with a timeout: its output is read on
//! threads so that a large render cannot fill a pipe and stall, and on
//! timeout the child's whole process group is killed, so that a script and
//! whatever it started (a wrapper around the real tool) stop too and release
//! the pipes.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A program found on `PATH`, as the user's shell would find it; made
/// absolute, since it runs in another directory.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|dir| !dir.as_os_str().is_empty())
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
        .and_then(|found| std::path::absolute(found).ok())
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file() || path.with_extension("exe").is_file()
}

/// What a finished run gave.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

#[derive(Debug)]
pub enum RunError {
    /// The program could not be started.
    Spawn(std::io::Error),
    /// It ran longer than the timeout and was killed.
    Timeout,
}

/// How often a running child is checked: short enough that a fast render
/// (most take 0.1–0.2 s) is not held up, long enough to cost nothing.
const POLL: Duration = Duration::from_millis(5);

/// Run `program args…` in `dir`, killing it after `timeout`.
pub fn run(
    program: &Path,
    args: &[OsString],
    dir: &Path,
    timeout: Duration,
) -> Result<Output, RunError> {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let mut child = command.spawn().map_err(RunError::Spawn)?;
    let stdout = reader(child.stdout.take());
    let stderr = reader(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                kill(&mut child);
                // The readers end once the group is gone; not joined before,
                // since a grandchild could hold the pipes open.
                let _ = stdout.join();
                let _ = stderr.join();
                return Err(RunError::Timeout);
            }
            Ok(None) => std::thread::sleep(POLL),
            Err(err) => {
                kill(&mut child);
                return Err(RunError::Spawn(err));
            }
        }
    };
    Ok(Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    })
}

fn reader(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

fn kill(child: &mut Child) {
    #[cfg(unix)]
    {
        if let Ok(pid) = i32::try_from(child.id()) {
            // SAFETY: kill(2) with a negative pid signals the process group
            // the child leads (it was started with process_group(0)); no
            // memory is involved.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A tool's stderr for an error message: trimmed, and cut to its last lines
/// when long (the reason is usually at the end).
pub fn stderr_excerpt(stderr: &[u8]) -> String {
    const MAX_LINES: usize = 20;
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.trim().lines().collect();
    if lines.len() <= MAX_LINES {
        return lines.join("\n");
    }
    format!("…\n{}", lines[lines.len() - MAX_LINES..].join("\n"))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str, timeout: Duration) -> Result<Output, RunError> {
        let dir = tempfile::tempdir().unwrap();
        run(
            Path::new("/bin/sh"),
            &["-c".into(), script.into()],
            dir.path(),
            timeout,
        )
    }

    #[test]
    fn output_and_status_are_kept() {
        let out = sh("echo out; echo err >&2; exit 3", Duration::from_secs(10)).unwrap();
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, b"err\n");
        assert_eq!(out.status.code(), Some(3));
    }

    #[test]
    fn a_slow_child_and_its_children_are_killed() {
        let start = Instant::now();
        let result = sh("sleep 30; echo late", Duration::from_millis(200));
        assert!(matches!(result, Err(RunError::Timeout)));
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn long_stderr_keeps_its_end() {
        let text: String = (0..30).map(|i| format!("line {i}\n")).collect();
        let excerpt = stderr_excerpt(text.as_bytes());
        assert!(excerpt.starts_with("…\nline 10"));
        assert!(excerpt.ends_with("line 29"));
    }
}
