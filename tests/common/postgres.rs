//! A throwaway PostgreSQL cluster from the machine's own server packages
//! (`initdb`, `pg_ctl` under `/usr/lib/postgresql/*/bin`): started once per
//! test binary on a free 127.0.0.1 port with trust authentication, data and
//! socket in a temporary directory, and stopped (its directory removed) by a
//! watchdog within a second of the test binary exiting, however it exits. Each test
//! gets a fresh database of its own. A machine without the server fails the
//! test that needs it: the PostgreSQL backend is never silently untested.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static NEXT_DB: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty database on the test cluster, as the URL `emulate --db` takes.
pub fn database() -> String {
    let c = CLUSTER.get_or_init(Cluster::start);
    let name = format!("t{}_{}", std::process::id(), NEXT_DB.fetch_add(1, Ordering::SeqCst));
    c.psql(&format!("CREATE DATABASE {name}"));
    format!("postgres://postgres@127.0.0.1:{}/{name}", c.port)
}

/// Runs one SQL statement on a database of the cluster (by its URL), returning
/// psql's unaligned output: for the assertions that look under the API.
pub fn query(url: &str, sql: &str) -> String {
    let c = CLUSTER.get_or_init(Cluster::start);
    let out = Command::new(c.bin.join("psql"))
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql])
        .output()
        .expect("run psql");
    assert!(out.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The newest server's binaries (PostgreSQL 13 or later).
fn server_bin() -> PathBuf {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            (version >= 13 && bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
                .then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "no PostgreSQL server (13 or later) under /usr/lib/postgresql/*/bin: the PostgreSQL \
             backend tests need one; install it with `apt-get install postgresql` (.ci/run does)"
        ),
    }
}

/// Whether this process runs as root (`/proc/self` belongs to its user).
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A server command, run as the `postgres` user when the tests run as root
/// (the server refuses to run as root).
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn run(mut c: Command, what: &str) {
    let out = c.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

impl Cluster {
    fn start() -> Cluster {
        let bin = server_bin();
        let dir = std::env::temp_dir().join(format!("scopien-hooks-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create the cluster directory");
        if is_root() {
            run(
                {
                    let mut c = Command::new("chown");
                    c.arg("postgres:").arg(&dir);
                    c
                },
                "chown the cluster directory to postgres",
            );
        }
        let data = dir.join("data");
        let mut init = as_server_user(&bin.join("initdb"));
        init.args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "-D"]).arg(&data);
        run(init, "initdb");
        // The emulators under test are what gets killed, never the server:
        // its own durability is not under test, so spare the disk.
        let port = free_port();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=300",
            dir.display()
        );
        let mut start = as_server_user(&bin.join("pg_ctl"));
        start.args(["-w", "-t", "60", "-l"]).arg(dir.join("server.log")).arg("-D").arg(&data);
        start.args(["-o", &options, "start"]);
        run(start, "pg_ctl start");
        let cluster = Cluster { bin, dir, port };
        cluster.watchdog();
        cluster
    }

    /// Stops the server once this process is gone, however it went: a test
    /// binary has no hook that runs after its last test.
    fn watchdog(&self) {
        let script = format!(
            "while [ -d /proc/{pid} ]; do sleep 1; done; '{pg_ctl}' -D '{data}' stop -m immediate >/dev/null 2>&1; \
             rm -rf '{dir}'",
            pid = std::process::id(),
            pg_ctl = self.bin.join("pg_ctl").display(),
            data = self.dir.join("data").display(),
            dir = self.dir.display(),
        );
        // Detached (its own session, its parent gone at once) so it outlives this process.
        let mut c = Command::new("setsid");
        c.args(["sh", "-c", &format!("({script}) &")]);
        c.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        let started = c.status().expect("start the cluster's watchdog");
        assert!(started.success(), "the cluster's watchdog did not start: {started}");
    }

    fn psql(&self, sql: &str) {
        let mut c = Command::new(self.bin.join("psql"));
        c.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres"])
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-c", sql]);
        run(c, &format!("psql {sql}"));
    }
}
