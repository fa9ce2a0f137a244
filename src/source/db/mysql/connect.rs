//! Connecting to MySQL and MariaDB: the URL, credentials (URL, `MYSQL_PWD`,
//! a config file's `password_env`), TLS modes as the `mysql` client names
//! them, and read-only sessions with timeouts. Nothing here ever prints a
//! password: every message from the driver goes through
//! [`crate::redact::credentials`].

use crate::source::db::DbError;
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, OptsBuilder, SslOpts};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

/// Session limits and TLS trust, from flags and the config file.
#[derive(Debug, Clone)]
pub struct MySqlSettings {
    /// Longest a statement may run (`max_execution_time` on MySQL,
    /// `max_statement_time` on MariaDB); whole seconds on MariaDB before 10.1's
    /// fractions, so at least one millisecond is kept.
    pub statement_timeout: Duration,
    /// Longest a statement waits for a lock (`lock_wait_timeout` for table
    /// and metadata locks, `innodb_lock_wait_timeout` for row locks), in whole
    /// seconds (at least 1: the servers know no finer unit).
    pub lock_timeout: Duration,
    pub connect_timeout: Duration,
    /// CA bundle for `VERIFY_CA` / `VERIFY_IDENTITY` (else `ssl-ca=` in the
    /// URL, else the system store).
    pub ca_file: Option<PathBuf>,
}

impl Default for MySqlSettings {
    fn default() -> Self {
        MySqlSettings {
            statement_timeout: Duration::from_secs(60),
            lock_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(10),
            ca_file: None,
        }
    }
}

/// The `mysql` client's `--ssl-mode` values (libpq's names are accepted too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain TCP.
    Disabled,
    /// TLS when the server offers it (without checking the certificate), else plain.
    Preferred,
    /// TLS or nothing; the certificate is not checked.
    Required,
    /// TLS, and the certificate must lead to a trusted CA. The client library
    /// cannot skip only the name check with this rustls, so the name is
    /// checked too (as `VerifyIdentity`): stricter, never weaker.
    VerifyCa,
    /// TLS, a trusted chain, and a certificate for the host name.
    VerifyIdentity,
}

impl FromStr for SslMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.to_ascii_uppercase().replace('-', "_").as_str() {
            "DISABLED" | "DISABLE" => SslMode::Disabled,
            "PREFERRED" | "PREFER" | "ALLOW" => SslMode::Preferred,
            "REQUIRED" | "REQUIRE" => SslMode::Required,
            "VERIFY_CA" => SslMode::VerifyCa,
            "VERIFY_IDENTITY" | "VERIFY_FULL" => SslMode::VerifyIdentity,
            _ => {
                return Err(format!(
                    "unknown ssl-mode '{s}' (DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY)"
                ));
            }
        })
    }
}

/// Which server answers: the statement timeout is set differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    MySql,
    MariaDb,
}

impl Flavor {
    /// From `SELECT VERSION()` (`10.11.6-MariaDB-0+deb12u1`, `8.0.36`).
    pub fn from_version(version: &str) -> Flavor {
        if version.to_ascii_lowercase().contains("mariadb") {
            Flavor::MariaDb
        } else {
            Flavor::MySql
        }
    }
}

/// MySQL error numbers ferret tells apart.
mod er {
    pub const DBACCESS_DENIED: u16 = 1044;
    pub const ACCESS_DENIED: u16 = 1045;
    pub const BAD_DB: u16 = 1049;
    pub const SERVER_SHUTDOWN: u16 = 1053;
    pub const BAD_FIELD: u16 = 1054;
    pub const TOO_MANY_CONNECTIONS: u16 = 1040;
    pub const NO_SUCH_TABLE: u16 = 1146;
    pub const TABLEACCESS_DENIED: u16 = 1142;
    pub const COLUMNACCESS_DENIED: u16 = 1143;
    pub const LOCK_WAIT_TIMEOUT: u16 = 1205;
    pub const SPECIFIC_ACCESS_DENIED: u16 = 1227;
    pub const QUERY_INTERRUPTED: u16 = 1317;
    pub const READ_ONLY_TRANSACTION: u16 = 1792;
    /// MariaDB: `max_statement_time` exceeded.
    pub const STATEMENT_TIMEOUT: u16 = 1969;
    /// MariaDB: the session was killed.
    pub const CONNECTION_KILLED: u16 = 1927;
    /// MySQL: `max_execution_time` exceeded.
    pub const QUERY_TIMEOUT: u16 = 3024;
    /// MySQL: a user that must use TLS came without.
    pub const SECURE_TRANSPORT_REQUIRED: u16 = 3159;
}

impl From<mysql_async::Error> for DbError {
    fn from(e: mysql_async::Error) -> Self {
        use mysql_async::{DriverError, Error, IoError};
        let clean = |m: String| crate::redact::credentials(&m);
        match e {
            Error::Server(s) => {
                let code = match s.code {
                    er::TABLEACCESS_DENIED
                    | er::COLUMNACCESS_DENIED
                    | er::DBACCESS_DENIED
                    | er::SPECIFIC_ACCESS_DENIED => "permission_denied",
                    er::STATEMENT_TIMEOUT | er::QUERY_TIMEOUT => "statement_timeout",
                    er::LOCK_WAIT_TIMEOUT => "lock_timeout",
                    er::NO_SUCH_TABLE => "table_not_found",
                    er::BAD_FIELD => "column_not_found",
                    er::ACCESS_DENIED => "auth_failed",
                    er::BAD_DB => "database_not_found",
                    er::SERVER_SHUTDOWN | er::CONNECTION_KILLED | er::QUERY_INTERRUPTED => {
                        "connection_lost"
                    }
                    er::TOO_MANY_CONNECTIONS => "too_many_connections",
                    er::SECURE_TRANSPORT_REQUIRED => "tls_required",
                    er::READ_ONLY_TRANSACTION => "read_only",
                    _ => "query_failed",
                };
                DbError::new(
                    code,
                    clean(format!(
                        "{} (error {}, SQLSTATE {})",
                        s.message, s.code, s.state
                    )),
                )
            }
            Error::Driver(DriverError::NoClientSslFlagFromServer) => DbError::new(
                "tls_refused",
                "the server does not offer TLS, and the ssl-mode requires it",
            ),
            Error::Driver(DriverError::ConnectionClosed) => {
                DbError::new("connection_lost", "the server closed the connection")
            }
            Error::Driver(d) => DbError::new("query_failed", clean(d.to_string())),
            Error::Io(IoError::Tls(t)) => {
                DbError::new("tls_error", clean(format!("TLS handshake failed: {t}")))
            }
            Error::Io(IoError::Io(io)) => {
                use std::io::ErrorKind as K;
                let mut message = io.to_string();
                let mut source = std::error::Error::source(&io);
                while let Some(s) = source {
                    let text = s.to_string();
                    if !message.contains(&text) {
                        message.push_str(": ");
                        message.push_str(&text);
                    }
                    source = s.source();
                }
                let lower = message.to_ascii_lowercase();
                let code = match io.kind() {
                    // Also TLS's "peer closed connection without close_notify".
                    K::ConnectionReset
                    | K::ConnectionAborted
                    | K::BrokenPipe
                    | K::UnexpectedEof => "connection_lost",
                    K::TimedOut => "timeout",
                    _ if lower.contains("certificate") || lower.contains("tls") => "tls_error",
                    _ => "connection_failed",
                };
                DbError::new(code, clean(message))
            }
            Error::Other(o) => DbError::new("query_failed", clean(o.to_string())),
            Error::Url(u) => DbError::new("bad_url", clean(u.to_string())),
        }
    }
}

/// Runs `fut` but gives up after `deadline`: a server that stops answering
/// must not hang the scan.
pub(super) async fn bounded<T>(
    deadline: Duration,
    fut: impl std::future::Future<Output = Result<T, mysql_async::Error>>,
) -> Result<T, DbError> {
    match tokio::time::timeout(deadline, fut).await {
        Ok(r) => r.map_err(DbError::from),
        Err(_) => Err(DbError::new(
            "timeout",
            format!("the server did not answer within {deadline:?}"),
        )),
    }
}

/// A server to scan: how to reach it and, if the URL names one, which database.
#[derive(Clone)]
pub struct MySqlSource {
    host: String,
    port: u16,
    user: String,
    password: Option<String>,
    mode: SslMode,
    ca: Option<PathBuf>,
    /// `host:port`, the authority of every asset id (never the user or password).
    authority: String,
    /// The database named in the URL; `None` means every database.
    pub database: Option<String>,
    settings: MySqlSettings,
}

impl std::fmt::Debug for MySqlSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MySqlSource")
            .field("authority", &self.authority)
            .field("user", &self.user)
            .field("database", &self.database)
            .field("ssl_mode", &self.mode)
            .finish()
    }
}

/// A read-only session: the connection and which server it talks to.
pub struct Session {
    pub(super) conn: Conn,
    flavor: Flavor,
    version: String,
}

impl Session {
    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// `SELECT VERSION()` as the server answered it.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The server's id for this session (`CONNECTION_ID()`).
    pub fn id(&self) -> u32 {
        self.conn.id()
    }

    /// The connection, for callers that need a query of their own (tests).
    pub fn conn(&mut self) -> &mut Conn {
        &mut self.conn
    }

    /// True once the driver knows the connection is gone (a session whose
    /// last read failed with `connection_lost` must not be reused either).
    pub fn is_closed(&self) -> bool {
        self.conn.is_disconnected()
    }

    /// Closes the session politely (dropping it also closes it).
    pub async fn close(self) {
        let _ = self.conn.disconnect().await;
    }
}

impl MySqlSource {
    /// Parses `mysql://user[:password]@host[:port][/db][?params]` (or
    /// `mariadb://`). The password comes from the URL, else `MYSQL_PWD`, else
    /// [`MySqlSource::with_password`]. Parameters: `ssl-mode` (also
    /// `ssl_mode`, `sslmode`) and `ssl-ca` (also `ssl_ca`, `sslrootcert`);
    /// any other is an error. Messages never hold the password.
    pub fn from_url(url: &str, settings: &MySqlSettings) -> Result<MySqlSource, String> {
        let rest = ["mysql://", "mariadb://"]
            .iter()
            .find_map(|p| {
                url.get(..p.len())
                    .filter(|s| s.eq_ignore_ascii_case(p))
                    .map(|_| &url[p.len()..])
            })
            .ok_or_else(|| "a MySQL URL starts with mysql:// or mariadb://".to_string())?;
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        // The user-info runs to the last `@`, so a password may hold `/`, `?`, `@`.
        let (userinfo, hostpart) = match rest.rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        let (user, password) = match userinfo {
            Some(info) => match info.split_once(':') {
                Some((u, p)) => (percent_decode(u), Some(percent_decode(p))),
                None => (percent_decode(info), None),
            },
            None => (String::new(), None),
        };
        let (hostpart, query) = match hostpart.split_once('?') {
            Some((h, q)) => (h, Some(q)),
            None => (hostpart, None),
        };
        let (authority, path) = match hostpart.split_once('/') {
            Some((a, p)) => (a, p),
            None => (hostpart, ""),
        };
        let (host, port) = split_host_port(authority)?;
        let host = host
            .map(str::to_string)
            .or_else(|| env("MYSQL_HOST"))
            .unwrap_or_else(|| "localhost".into());
        let port = match port {
            Some(p) => p,
            None => match env("MYSQL_TCP_PORT") {
                Some(p) => p.parse().map_err(|_| format!("bad MYSQL_TCP_PORT '{p}'"))?,
                None => 3306,
            },
        };
        let database = Some(percent_decode(path.trim_end_matches('/'))).filter(|d| !d.is_empty());
        if database.as_deref().is_some_and(|d| d.contains('/')) {
            return Err("a MySQL URL names at most one database (mysql://host:port/db)".into());
        }
        let mut mode = None;
        let mut ca = None;
        for kv in query.unwrap_or("").split('&').filter(|kv| !kv.is_empty()) {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            match k.to_ascii_lowercase().replace('_', "-").as_str() {
                "ssl-mode" | "sslmode" => mode = Some(v.parse::<SslMode>()?),
                "ssl-ca" | "sslca" | "sslrootcert" => ca = Some(PathBuf::from(percent_decode(v))),
                other => {
                    return Err(format!(
                        "unknown MySQL URL parameter '{other}' (ssl-mode, ssl-ca)"
                    ));
                }
            }
        }
        let user = if user.is_empty() {
            env("USER").unwrap_or_else(|| "root".into())
        } else {
            user
        };
        let password = password.or_else(|| env("MYSQL_PWD"));
        let ca = settings.ca_file.clone().or(ca);
        let authority = if host.contains(':') {
            format!("[{host}]:{port}")
        } else {
            format!("{host}:{port}")
        };
        Ok(MySqlSource {
            host,
            port,
            user,
            password,
            mode: mode.unwrap_or(SslMode::Preferred),
            ca,
            authority,
            database,
            settings: settings.clone(),
        })
    }

    /// Uses this password (from a config file's `password_env`) over any other.
    pub fn with_password(mut self, password: &str) -> Self {
        self.password = Some(password.to_string());
        self
    }

    pub fn ssl_mode(&self) -> SslMode {
        self.mode
    }

    /// `mysql://host:port/db`: the id prefix of a database's assets (the
    /// scheme is `mysql` for MariaDB too, so ids do not depend on how the URL
    /// was spelled).
    pub fn database_url(&self, database: &str) -> String {
        format!("mysql://{}/{database}", self.authority)
    }

    /// The longest a single query may take before we give up on it, even if
    /// the server never answers (the statement timeout, plus slack).
    pub fn query_deadline(&self) -> Duration {
        self.settings.statement_timeout + Duration::from_secs(15)
    }

    fn ssl_opts(&self, verify: bool) -> Result<SslOpts, DbError> {
        if !verify {
            // The client library wants trust anchors even when it checks
            // nothing: its built-in ones.
            return Ok(SslOpts::default().with_danger_accept_invalid_certs(true));
        }
        let roots: Vec<_> = match &self.ca {
            Some(path) => {
                check_ca_file(path)?;
                vec![path.clone().into()]
            }
            // The system's store, as the PostgreSQL source uses.
            None => rustls_native_certs::load_native_certs()
                .certs
                .into_iter()
                .map(|c| c.as_ref().to_vec().into())
                .collect(),
        };
        // Built-in roots only when the system has none (and no CA file was given).
        let builtin = roots.is_empty();
        Ok(SslOpts::default()
            .with_root_certs(roots)
            .with_disable_built_in_roots(!builtin))
    }

    fn opts(&self, ssl: Option<SslOpts>) -> OptsBuilder {
        OptsBuilder::default()
            .ip_or_hostname(self.host.clone())
            .tcp_port(self.port)
            .user(Some(self.user.clone()))
            .pass(self.password.clone())
            .db_name(None::<String>)
            .prefer_socket(false)
            .tcp_keepalive(Some(Duration::from_secs(30)))
            .stmt_cache_size(0)
            .connect_attribute("program_name", "ferret")
            .ssl_opts(ssl)
    }

    async fn open(&self, ssl: Option<SslOpts>) -> Result<Conn, DbError> {
        let deadline = self.settings.connect_timeout;
        match tokio::time::timeout(deadline, Conn::new(self.opts(ssl))).await {
            Ok(r) => r.map_err(DbError::from),
            Err(_) => Err(DbError::new(
                "timeout",
                format!("no answer from {} within {deadline:?}", self.authority),
            )),
        }
    }

    /// A read-only session with ferret's timeouts. Tables are named with
    /// their database, so one session reads every database of the server.
    pub async fn connect(&self) -> Result<Session, DbError> {
        // The client library builds its TLS configuration from the process's
        // default provider: the one every other source uses.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let conn = match self.mode {
            SslMode::Disabled => self.open(None).await?,
            SslMode::Preferred => match self.open(Some(self.ssl_opts(false)?)).await {
                Err(e) if e.code == "tls_refused" => self.open(None).await?,
                other => other?,
            },
            SslMode::Required => self.open(Some(self.ssl_opts(false)?)).await?,
            SslMode::VerifyCa | SslMode::VerifyIdentity => {
                self.open(Some(self.ssl_opts(true)?)).await?
            }
        };
        let mut session = Session {
            conn,
            flavor: Flavor::MySql,
            version: String::new(),
        };
        let deadline = self.settings.connect_timeout + Duration::from_secs(5);
        let version: Option<String> =
            bounded(deadline, session.conn.query_first("SELECT VERSION()")).await?;
        let version = version.unwrap_or_default();
        session.flavor = Flavor::from_version(&version);
        session.version = version;
        for sql in self.session_setup(session.flavor) {
            bounded(deadline, session.conn.query_drop(sql)).await?;
        }
        if session.flavor == Flavor::MySql {
            // MySQL 8 answers information_schema's table statistics from a
            // cache a day old by default; MySQL 5.7 has no such variable.
            let fresh = "SET SESSION information_schema_stats_expiry = 0";
            if let Err(e) = bounded(deadline, session.conn.query_drop(fresh)).await
                && e.code == "connection_lost"
            {
                return Err(e);
            }
        }
        Ok(session)
    }

    /// What every session runs first: read-only transactions, the timeouts,
    /// text as UTF-8, times in UTC.
    fn session_setup(&self, flavor: Flavor) -> Vec<String> {
        let lock = self.settings.lock_timeout.as_secs().max(1);
        let statement_ms = self.settings.statement_timeout.as_millis().max(1);
        let statement = match flavor {
            Flavor::MySql => format!("SET SESSION max_execution_time = {statement_ms}"),
            Flavor::MariaDb => format!(
                "SET SESSION max_statement_time = {}",
                statement_ms as f64 / 1000.0
            ),
        };
        vec![
            "SET SESSION TRANSACTION READ ONLY".into(),
            statement,
            format!("SET SESSION lock_wait_timeout = {lock}"),
            format!("SET SESSION innodb_lock_wait_timeout = {lock}"),
            "SET NAMES utf8mb4".into(),
            "SET SESSION time_zone = '+00:00'".into(),
        ]
    }
}

/// `host[:port]`, `[v6]:port`; both parts optional.
fn split_host_port(authority: &str) -> Result<(Option<&str>, Option<u16>), String> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (h, after) = rest
            .split_once(']')
            .ok_or_else(|| "bad MySQL URL: unclosed '[' in the host".to_string())?;
        (h, after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = match port.filter(|p| !p.is_empty()) {
        Some(p) => Some(
            p.parse::<u16>()
                .map_err(|_| format!("bad MySQL URL: port '{p}' is not a number"))?,
        ),
        None => None,
    };
    Ok((Some(host).filter(|h| !h.is_empty()), port))
}

/// A CA file that cannot be used is said so before connecting, by name.
fn check_ca_file(path: &Path) -> Result<(), DbError> {
    let certs: Vec<CertificateDer> = CertificateDer::pem_file_iter(path)
        .map_err(|e| {
            DbError::new(
                "tls_error",
                format!("cannot read CA file {}: {e}", path.display()),
            )
        })?
        .collect::<Result<_, _>>()
        .map_err(|e| DbError::new("tls_error", format!("bad CA file {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(DbError::new(
            "tls_error",
            format!("no certificate in CA file {}", path.display()),
        ));
    }
    Ok(())
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse_with_defaults_and_hostile_passwords() {
        let s = MySqlSource::from_url(
            "mysql://reader:p%40ss/w?rd@db.example:3307/app?ssl-mode=verify_identity&ssl-ca=%2Ftmp%2Fca.pem",
            &MySqlSettings::default(),
        )
        .unwrap();
        assert_eq!(s.user, "reader");
        assert_eq!(s.password.as_deref(), Some("p@ss/w?rd"));
        assert_eq!(s.host, "db.example");
        assert_eq!(s.port, 3307);
        assert_eq!(s.database.as_deref(), Some("app"));
        assert_eq!(s.mode, SslMode::VerifyIdentity);
        assert_eq!(s.ca.as_deref(), Some(Path::new("/tmp/ca.pem")));
        assert_eq!(s.database_url("app"), "mysql://db.example:3307/app");
        let shown = format!("{s:?}");
        assert!(!shown.contains("ss/w"), "{shown}");

        let s = MySqlSource::from_url("mariadb://u@127.0.0.1/", &MySqlSettings::default()).unwrap();
        assert_eq!(s.database, None);
        assert_eq!(s.port, 3306);
        assert_eq!(s.mode, SslMode::Preferred);
        assert_eq!(s.database_url("x"), "mysql://127.0.0.1:3306/x");

        let s = MySqlSource::from_url("mysql://u@[::1]:3310", &MySqlSettings::default()).unwrap();
        assert_eq!(s.database_url("d"), "mysql://[::1]:3310/d");
    }

    #[test]
    fn bad_urls_say_why_without_the_password() {
        let err = |url: &str| MySqlSource::from_url(url, &MySqlSettings::default()).unwrap_err();
        assert!(err("postgres://u@h/db").contains("mysql://"));
        let e = err("mysql://u:sekret@h:notaport/db");
        assert!(e.contains("port") && !e.contains("sekret"), "{e}");
        let e = err("mysql://u:sekret@h/db?ssl-mode=sometimes");
        assert!(e.contains("ssl-mode") && !e.contains("sekret"), "{e}");
        let e = err("mysql://u:sekret@h/db?password=x");
        assert!(e.contains("unknown") && !e.contains("sekret"), "{e}");
    }

    #[test]
    fn ssl_modes_take_mysql_and_libpq_names() {
        assert_eq!("required".parse::<SslMode>(), Ok(SslMode::Required));
        assert_eq!("VERIFY_CA".parse::<SslMode>(), Ok(SslMode::VerifyCa));
        assert_eq!(
            "verify-full".parse::<SslMode>(),
            Ok(SslMode::VerifyIdentity)
        );
        assert_eq!("DISABLED".parse::<SslMode>(), Ok(SslMode::Disabled));
        assert!("on".parse::<SslMode>().is_err());
    }

    #[test]
    fn flavors_come_from_the_version_string() {
        assert_eq!(
            Flavor::from_version("10.11.6-MariaDB-0+deb12u1"),
            Flavor::MariaDb
        );
        assert_eq!(Flavor::from_version("8.0.36"), Flavor::MySql);
        assert_eq!(
            Flavor::from_version("5.5.5-10.6.12-MariaDB"),
            Flavor::MariaDb
        );
    }

    #[test]
    fn statement_timeouts_use_each_servers_unit() {
        let settings = MySqlSettings {
            statement_timeout: Duration::from_millis(2500),
            lock_timeout: Duration::from_millis(200),
            ..MySqlSettings::default()
        };
        let s = MySqlSource::from_url("mysql://u@h/", &settings).unwrap();
        let my = s.session_setup(Flavor::MySql);
        assert!(my.contains(&"SET SESSION max_execution_time = 2500".to_string()));
        let maria = s.session_setup(Flavor::MariaDb);
        assert!(maria.contains(&"SET SESSION max_statement_time = 2.5".to_string()));
        assert!(maria.contains(&"SET SESSION lock_wait_timeout = 1".to_string()));
        assert_eq!(maria[0], "SET SESSION TRANSACTION READ ONLY");
    }
}
