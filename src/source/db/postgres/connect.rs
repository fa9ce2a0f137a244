//! Connecting to PostgreSQL: the URL, credentials (URL, `PGPASSWORD`,
//! `~/.pgpass`), TLS modes as libpq names them, and read-only sessions with
//! timeouts. Nothing here ever prints a password.

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres::Client;
use tokio_postgres::config::{Host, SslMode as WireSslMode};
use tokio_postgres::error::SqlState;
use tokio_postgres_rustls::MakeRustlsConnect;

pub use crate::source::db::DbError as PgError;

/// Session limits and TLS trust, from flags and the config file.
#[derive(Debug, Clone)]
pub struct PgSettings {
    pub statement_timeout: Duration,
    pub lock_timeout: Duration,
    pub connect_timeout: Duration,
    /// CA bundle for `verify-ca` / `verify-full` (else `sslrootcert=`, `PGSSLROOTCERT`, the system store).
    pub ca_file: Option<PathBuf>,
}

impl Default for PgSettings {
    fn default() -> Self {
        PgSettings {
            statement_timeout: Duration::from_secs(60),
            lock_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(10),
            ca_file: None,
        }
    }
}

/// libpq's `sslmode` values (`allow` is treated as `prefer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl FromStr for SslMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "disable" => SslMode::Disable,
            "allow" | "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(format!(
                    "unknown sslmode '{other}' (disable, prefer, require, verify-ca, verify-full)"
                ));
            }
        })
    }
}

impl From<tokio_postgres::Error> for PgError {
    fn from(e: tokio_postgres::Error) -> Self {
        if let Some(db) = e.as_db_error() {
            let state = db.code();
            let code = if *state == SqlState::INSUFFICIENT_PRIVILEGE {
                "permission_denied"
            } else if *state == SqlState::QUERY_CANCELED {
                "statement_timeout"
            } else if *state == SqlState::LOCK_NOT_AVAILABLE {
                "lock_timeout"
            } else if *state == SqlState::UNDEFINED_TABLE {
                "table_not_found"
            } else if *state == SqlState::UNDEFINED_COLUMN {
                "column_not_found"
            } else if *state == SqlState::INVALID_PASSWORD
                || *state == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            {
                "auth_failed"
            } else if *state == SqlState::INVALID_CATALOG_NAME {
                "database_not_found"
            } else if *state == SqlState::ADMIN_SHUTDOWN
                || *state == SqlState::CRASH_SHUTDOWN
                || *state == SqlState::CANNOT_CONNECT_NOW
            {
                "connection_lost"
            } else if *state == SqlState::TOO_MANY_CONNECTIONS {
                "too_many_connections"
            } else {
                "query_failed"
            };
            return PgError::new(
                code,
                format!("{} (SQLSTATE {})", db.message(), state.code()),
            );
        }
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            let text = s.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            source = s.source();
        }
        let lower = message.to_ascii_lowercase();
        let code = if e.is_closed() || lower.contains("connection closed") {
            "connection_lost"
        } else if lower.contains("tls") || lower.contains("certificate") || lower.contains("ssl") {
            "tls_error"
        } else if lower.contains("timeout") || lower.contains("timed out") {
            "timeout"
        } else if lower.contains("password") {
            "auth_failed"
        } else {
            "connection_failed"
        };
        PgError::new(code, message)
    }
}

/// A server to scan: how to reach it and, if the URL names one, which database.
#[derive(Clone)]
pub struct PgSource {
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    /// `host:port`, the authority of every asset id (never the user or password).
    authority: String,
    /// The database named in the URL; `None` means every database.
    pub database: Option<String>,
    settings: PgSettings,
}

impl std::fmt::Debug for PgSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgSource")
            .field("authority", &self.authority)
            .field("database", &self.database)
            .finish()
    }
}

impl PgSource {
    /// Parses `postgres://user[:password]@host[:port][/db][?params]`. The
    /// password comes from the URL, else `PGPASSWORD`, else the pgpass file.
    pub fn from_url(url: &str, settings: &PgSettings) -> Result<PgSource, String> {
        let (url, ssl_params) = split_ssl_params(url);
        let mut config = tokio_postgres::Config::from_str(&url)
            .map_err(|e| format!("bad PostgreSQL URL: {e}"))?;
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if config.get_hosts().is_empty() {
            config.host(env("PGHOST").as_deref().unwrap_or("localhost"));
        }
        if config.get_ports().is_empty() {
            let port = env("PGPORT").and_then(|p| p.parse().ok()).unwrap_or(5432);
            config.port(port);
        }
        if config.get_user().is_none() {
            let user = env("PGUSER")
                .or_else(|| env("USER"))
                .unwrap_or_else(|| "postgres".into());
            config.user(&user);
        }
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let database = config
            .get_dbname()
            .filter(|d| !d.is_empty())
            .map(str::to_string);
        if config.get_password().is_none() {
            if let Some(pw) = env("PGPASSWORD") {
                config.password(pw);
            } else if let Some(pw) = pgpass_lookup(
                &host,
                port,
                database.as_deref().unwrap_or("postgres"),
                config.get_user().unwrap_or(""),
            ) {
                config.password(pw);
            }
        }
        let mode = match ssl_params.mode.clone().or_else(|| env("PGSSLMODE")) {
            Some(m) => m.parse::<SslMode>()?,
            None => SslMode::Prefer,
        };
        let ca = settings
            .ca_file
            .clone()
            .or(ssl_params.root_cert.map(PathBuf::from))
            .or_else(|| env("PGSSLROOTCERT").map(PathBuf::from));
        config.ssl_mode(match mode {
            SslMode::Disable => WireSslMode::Disable,
            SslMode::Prefer => WireSslMode::Prefer,
            _ => WireSslMode::Require,
        });
        let tls = MakeRustlsConnect::new(tls_config(mode, ca.as_deref())?);

        let mut options = format!(
            "-c default_transaction_read_only=on -c statement_timeout={} -c lock_timeout={} \
             -c idle_in_transaction_session_timeout=300000",
            settings.statement_timeout.as_millis(),
            settings.lock_timeout.as_millis()
        );
        if let Some(extra) = config.get_options() {
            options = format!("{extra} {options}");
        }
        config.options(&options);
        config.application_name("ferret");
        config.connect_timeout(settings.connect_timeout);
        config.keepalives(true);
        config.keepalives_idle(Duration::from_secs(30));
        Ok(PgSource {
            config,
            tls,
            authority: format!("{host}:{port}"),
            database,
            settings: settings.clone(),
        })
    }

    /// Uses this password (from a config file's `password_env`) over any other.
    pub fn with_password(mut self, password: &str) -> Self {
        self.config.password(password);
        self
    }

    /// `postgres://host:port/db`: the id prefix of a database's assets.
    pub fn database_url(&self, database: &str) -> String {
        format!("postgres://{}/{database}", self.authority)
    }

    /// The longest a single query may take before we give up on it, even if
    /// the server never answers (the statement timeout, plus slack).
    pub fn query_deadline(&self) -> Duration {
        self.settings.statement_timeout + Duration::from_secs(15)
    }

    /// A read-only session on `database`, with ferret's timeouts.
    pub async fn connect(&self, database: &str) -> Result<Client, PgError> {
        let mut config = self.config.clone();
        config.dbname(database);
        let deadline = self.settings.connect_timeout + Duration::from_secs(5);
        let (client, connection) = tokio::time::timeout(deadline, config.connect(self.tls.clone()))
            .await
            .map_err(|_| {
                PgError::new(
                    "timeout",
                    format!("no answer from {} within {deadline:?}", self.authority),
                )
            })??;
        let authority = self.authority.clone();
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(server = %authority, "connection ended: {e}");
            }
        });
        Ok(client)
    }
}

struct SslParams {
    mode: Option<String>,
    root_cert: Option<String>,
}

/// Takes `sslmode` and `sslrootcert` out of the URL's query (the driver
/// knows only some modes; we implement all of libpq's).
fn split_ssl_params(url: &str) -> (String, SslParams) {
    let mut params = SslParams {
        mode: None,
        root_cert: None,
    };
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), params);
    };
    let mut kept = Vec::new();
    for kv in query.split('&') {
        match kv.split_once('=') {
            Some(("sslmode", v)) => params.mode = Some(v.to_string()),
            Some(("sslrootcert", v)) => params.root_cert = Some(percent_decode(v)),
            _ if kv.is_empty() => {}
            _ => kept.push(kv),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, params)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The password for a connection from the pgpass file (`PGPASSFILE` or
/// `~/.pgpass`), ignored, as libpq does, when others can read it.
fn pgpass_lookup(host: &str, port: u16, database: &str, user: &str) -> Option<String> {
    let path = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pgpass")))?;
    let text = std::fs::read_to_string(&path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(md) = std::fs::metadata(&path)
            && md.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(file = %path.display(), "password file ignored: it is readable by group or others (chmod 0600)");
            return None;
        }
    }
    pgpass_match(&text, host, port, database, user)
}

fn pgpass_match(text: &str, host: &str, port: u16, database: &str, user: &str) -> Option<String> {
    let port = port.to_string();
    for line in text.lines() {
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_pgpass_line(line);
        if fields.len() < 5 {
            continue;
        }
        let want = [host, port.as_str(), database, user];
        let hit = fields[..4]
            .iter()
            .zip(want)
            .all(|(f, w)| f == "*" || f == w || (w == "127.0.0.1" && f == "localhost"));
        if hit {
            return Some(fields[4].clone());
        }
    }
    None
}

/// Splits on unescaped `:`; `\:` and `\\` are literal.
fn split_pgpass_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next()
                    && let Some(last) = fields.last_mut()
                {
                    last.push(n);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            _ => {
                if let Some(last) = fields.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    fields
}

fn tls_config(mode: SslMode, ca: Option<&Path>) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?;
    let config = match mode {
        // As libpq: `prefer` and `require` encrypt without checking who answers.
        SslMode::Disable | SslMode::Prefer | SslMode::Require => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
            .with_no_client_auth(),
        SslMode::VerifyCa => {
            let roots = Arc::new(root_store(ca)?);
            let inner = WebPkiServerVerifier::builder_with_provider(roots, provider)
                .build()
                .map_err(|e| format!("TLS setup: {e}"))?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(ChainOnly(inner)))
                .with_no_client_auth()
        }
        SslMode::VerifyFull => builder
            .with_root_certificates(root_store(ca)?)
            .with_no_client_auth(),
    };
    Ok(config)
}

fn root_store(ca: Option<&Path>) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    match ca {
        Some(path) => {
            let certs: Vec<CertificateDer> = CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("cannot read CA file {}: {e}", path.display()))?
                .collect::<Result<_, _>>()
                .map_err(|e| format!("bad CA file {}: {e}", path.display()))?;
            if certs.is_empty() {
                return Err(format!("no certificate in CA file {}", path.display()));
            }
            for cert in certs {
                roots
                    .add(cert)
                    .map_err(|e| format!("bad CA certificate in {}: {e}", path.display()))?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            for cert in found.certs {
                let _ = roots.add(cert);
            }
        }
    }
    Ok(roots)
}

/// `sslmode=require`: any certificate, but a real handshake.
#[derive(Debug)]
struct EncryptOnly(Arc<CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `sslmode=verify-ca`: the chain must lead to a trusted CA; the name is not checked.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgpass_lines_match_with_wildcards_and_escapes() {
        let file = "# comment\nother:5432:*:bob:nope\n127.0.0.1:5433:app:alice:s\\:e\\\\cret\n*:*:*:carol:pw\n";
        assert_eq!(
            pgpass_match(file, "127.0.0.1", 5433, "app", "alice").as_deref(),
            Some("s:e\\cret")
        );
        assert_eq!(
            pgpass_match(file, "db", 1, "x", "carol").as_deref(),
            Some("pw")
        );
        assert_eq!(pgpass_match(file, "db", 1, "x", "dave"), None);
    }

    #[test]
    fn ssl_params_are_taken_out_of_the_url() {
        let (url, p) = split_ssl_params(
            "postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.crt&connect_timeout=3",
        );
        assert_eq!(url, "postgres://u@h/db?connect_timeout=3");
        assert_eq!(p.mode.as_deref(), Some("verify-full"));
        assert_eq!(p.root_cert.as_deref(), Some("/tmp/ca.crt"));
        assert!("bogus".parse::<SslMode>().is_err());
    }

    #[test]
    fn urls_without_a_database_mean_every_database() {
        let s =
            PgSource::from_url("postgres://u:pw@127.0.0.1:5999/", &PgSettings::default()).unwrap();
        assert_eq!(s.database, None);
        let s = PgSource::from_url("postgres://u:pw@127.0.0.1:5999/app", &PgSettings::default())
            .unwrap();
        assert_eq!(s.database.as_deref(), Some("app"));
        assert_eq!(s.database_url("app"), "postgres://127.0.0.1:5999/app");
        assert!(!format!("{s:?}").contains("pw"));
    }
}
