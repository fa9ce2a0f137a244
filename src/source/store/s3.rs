//! S3 and S3-compatible stores (MinIO, Ceph, R2, ...) as an [`ObjectStore`].
//!
//! - Credentials and region come from the standard AWS chain (environment,
//!   shared profile, web identity, container / instance metadata); the
//!   region can be forced, and a custom endpoint switches to path-style
//!   addressing unless told otherwise.
//! - Every request holds a permit of a semaphore: at most `concurrency`
//!   requests are in flight per store, whatever the number of workers.
//! - Retries are the SDK's standard mode (exponential backoff with jitter) on
//!   5xx, throttling (`SlowDown`) and transport errors, with per-attempt
//!   timeouts; each failed attempt is logged. A response body cut mid-way
//!   (connection reset) is retried here, since the SDK retries only until
//!   the response headers.
//! - Errors become [`StoreError`]s with a stable code; their messages name
//!   the key and the reason, never credentials or object contents.

use super::{IoStats, Listing, ObjectMeta, ObjectStore, StoreError};
use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::interceptors::FinalizerInterceptorContextRef;
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{BehaviorVersion, ConfigBag, Intercept, Region, RuntimeComponents};
use aws_sdk_s3::error::{BoxError, ProvideErrorMetadata, SdkError};
use bytes::Bytes;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Semaphore;

/// Default bound on requests in flight per store.
pub const DEFAULT_CONCURRENCY: usize = 32;
/// Region used when neither the chain nor `--s3-region` gives one (an
/// S3-compatible store usually ignores it, but SigV4 needs one).
pub const FALLBACK_REGION: &str = "us-east-1";

/// How to reach a bucket.
#[derive(Debug, Clone)]
pub struct S3Options {
    /// `--s3-endpoint`: an S3-compatible store's URL.
    pub endpoint: Option<String>,
    /// `--s3-region`: overrides the chain's region.
    pub region: Option<String>,
    /// Path-style addressing (`endpoint/bucket/key`); `None` means "when an
    /// endpoint is given".
    pub path_style: Option<bool>,
    pub concurrency: usize,
    /// Attempts per request, the first included (SDK standard retries).
    pub max_attempts: u32,
    /// `--s3-connect-timeout`.
    pub connect_timeout: Duration,
    /// `--s3-attempt-timeout`: per attempt, until the response headers (the
    /// SDK's read timeout, to the first byte, is the same bound).
    pub attempt_timeout: Duration,
    /// `--s3-read-timeout`: reading one response body (a ranged get of up to
    /// a few tens of MiB).
    pub body_timeout: Duration,
}

impl Default for S3Options {
    fn default() -> Self {
        S3Options {
            endpoint: None,
            region: None,
            path_style: None,
            concurrency: DEFAULT_CONCURRENCY,
            max_attempts: 6,
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(30),
            body_timeout: Duration::from_secs(120),
        }
    }
}

/// The AWS SDK configuration shared by every bucket of a run (the credential
/// chain is resolved once).
#[derive(Debug, Clone)]
pub struct S3Connector {
    client: Client,
    opts: S3Options,
    stats: Arc<Counters>,
}

impl S3Connector {
    /// Loads the credential chain and region, and builds the client. Must run
    /// inside a tokio runtime.
    pub async fn new(opts: S3Options) -> Result<S3Connector, String> {
        if opts.concurrency == 0 {
            return Err("--s3-concurrency must be at least 1".into());
        }
        if let Some(ep) = &opts.endpoint
            && !(ep.starts_with("http://") || ep.starts_with("https://"))
        {
            return Err(format!(
                "--s3-endpoint {}: expected an http:// or https:// URL",
                crate::redact::credentials(ep)
            ));
        }
        let retry = RetryConfig::standard()
            .with_max_attempts(opts.max_attempts.max(1))
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_secs(10));
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(opts.connect_timeout)
            .operation_attempt_timeout(opts.attempt_timeout)
            .read_timeout(opts.attempt_timeout)
            .build();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(retry)
            .timeout_config(timeouts);
        if let Some(r) = &opts.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(ep) = &opts.endpoint {
            loader = loader.endpoint_url(ep.trim_end_matches('/'));
        }
        let sdk = loader.load().await;
        let stats = Arc::new(Counters::default());
        let mut conf = aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(opts.path_style.unwrap_or(opts.endpoint.is_some()))
            .interceptor(AttemptLog {
                stats: stats.clone(),
            });
        if sdk.region().is_none() {
            tracing::info!(
                region = FALLBACK_REGION,
                "no AWS region configured (--s3-region, AWS_REGION or a profile): using the fallback"
            );
            conf = conf.region(Region::new(FALLBACK_REGION));
        }
        Ok(S3Connector {
            client: Client::from_conf(conf.build()),
            opts,
            stats,
        })
    }

    /// A store over one bucket; buckets of one run share the client, and
    /// each has its own in-flight bound.
    pub fn bucket(&self, bucket: &str) -> S3Store {
        S3Store {
            client: self.client.clone(),
            bucket: bucket.to_string(),
            permits: Arc::new(Semaphore::new(self.opts.concurrency)),
            body_timeout: self.opts.body_timeout,
            body_attempts: self.opts.max_attempts.max(1),
            stats: self.stats.clone(),
        }
    }
}

#[derive(Debug, Default)]
struct Counters {
    list: AtomicU64,
    get: AtomicU64,
    head: AtomicU64,
    failed_attempts: AtomicU64,
    bytes: AtomicU64,
    /// Objects returned by listings so far, counted page by page so a
    /// progress display can show a long listing advancing.
    listed: AtomicU64,
}

/// Logs (and counts) every failed attempt, so retries show in the logs.
#[derive(Debug)]
struct AttemptLog {
    stats: Arc<Counters>,
}

impl Intercept for AttemptLog {
    fn name(&self) -> &'static str {
        "ferret::AttemptLog"
    }

    fn read_after_attempt(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let status = context.response().map(|r| r.status().as_u16());
        let retryable = match status {
            Some(s) => s >= 500 || s == 429,
            None => context.output_or_error().is_some_and(|r| r.is_err()),
        };
        if retryable {
            self.stats.failed_attempts.fetch_add(1, Ordering::Relaxed);
            match status {
                Some(s) => tracing::warn!(
                    status = s,
                    "S3 request attempt failed; retrying with backoff while attempts remain"
                ),
                None => tracing::warn!(
                    "S3 request attempt failed (no response: timeout or connection error); retrying with backoff while attempts remain"
                ),
            }
        }
        Ok(())
    }
}

/// One bucket.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: Client,
    bucket: String,
    permits: Arc<Semaphore>,
    body_timeout: Duration,
    body_attempts: u32,
    stats: Arc<Counters>,
}

impl S3Store {
    pub fn bucket_name(&self) -> &str {
        &self.bucket
    }

    async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, StoreError> {
        self.permits
            .acquire()
            .await
            .map_err(|_| StoreError::Io("request limiter closed".into()))
    }
}

/// Maps an SDK error to a [`StoreError`] about `what` (a key or prefix).
fn store_error<E>(what: &str, err: &SdkError<E>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let what = if what.is_empty() {
        "(bucket root)"
    } else {
        what
    };
    match err {
        SdkError::ServiceError(se) => {
            let status = se.raw().status().as_u16();
            let code = se.err().code().unwrap_or("");
            let reason = if code.is_empty() {
                format!("HTTP {status}")
            } else {
                format!("{code} (HTTP {status})")
            };
            let msg = format!("{what}: {reason}");
            match (code, status) {
                ("NoSuchKey" | "NoSuchBucket" | "NotFound", _) | (_, 404) => {
                    StoreError::NotFound(msg)
                }
                (
                    "InvalidAccessKeyId"
                    | "SignatureDoesNotMatch"
                    | "ExpiredToken"
                    | "InvalidToken"
                    | "TokenRefreshRequired"
                    | "AuthorizationHeaderMalformed",
                    _,
                ) => StoreError::InvalidCredentials(msg),
                ("AccessDenied" | "AllAccessDisabled" | "AccountProblem", _) | (_, 401 | 403) => {
                    StoreError::PermissionDenied(msg)
                }
                ("SlowDown" | "Throttling" | "ThrottlingException" | "RequestLimitExceeded", _)
                | (_, 429 | 503) => StoreError::Throttled(msg),
                ("RequestTimeout", _) => StoreError::Timeout(msg),
                _ => StoreError::Io(msg),
            }
        }
        SdkError::TimeoutError(_) => {
            StoreError::Timeout(format!("{what}: no answer in time (every attempt)"))
        }
        SdkError::DispatchFailure(df) => {
            if df.is_timeout() {
                StoreError::Timeout(format!("{what}: no answer in time (every attempt)"))
            } else if df.is_io() {
                StoreError::Unreachable(format!(
                    "{what}: cannot reach the store (connection refused or reset)"
                ))
            } else if df.is_user() {
                StoreError::InvalidCredentials(format!(
                    "{what}: request not sent: {}",
                    short(&aws_sdk_s3::error::DisplayErrorContext(err).to_string())
                ))
            } else {
                StoreError::Unreachable(format!("{what}: cannot reach the store"))
            }
        }
        SdkError::ResponseError(_) => {
            StoreError::Io(format!("{what}: unreadable response from the store"))
        }
        SdkError::ConstructionFailure(_) => StoreError::InvalidCredentials(format!(
            "{what}: request not built: {}",
            short(&aws_sdk_s3::error::DisplayErrorContext(err).to_string())
        )),
        _ => StoreError::Io(format!("{what}: request failed")),
    }
}

/// Error texts from the SDK can be long; they hold no object contents, and
/// any URL they quote (an endpoint with user-info, a presigned query) goes
/// through the redaction of credentials.
fn short(s: &str) -> String {
    let mut s = crate::redact::credentials(s).replace('\n', " ");
    if s.len() > 300 {
        let mut cut = 300;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str("...");
    }
    s
}

/// Why one ranged get failed: before the response (the SDK already retried)
/// or while reading its body (retried here).
enum GetFailure {
    Request(StoreError),
    Body(StoreError),
}

#[async_trait]
impl ObjectStore for S3Store {
    fn url(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }

    async fn list(&self, prefix: &str) -> Listing {
        let mut listing = Listing::default();
        let mut token: Option<String> = None;
        let mut pages = 0u64;
        loop {
            let mut req = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix);
            if let Some(t) = &token {
                req = req.continuation_token(t);
            }
            let result = {
                let _permit = match self.permit().await {
                    Ok(p) => p,
                    Err(e) => {
                        listing.errors.push((prefix.to_string(), e));
                        return listing;
                    }
                };
                self.stats.list.fetch_add(1, Ordering::Relaxed);
                req.send().await
            };
            let page = match result {
                Ok(page) => page,
                Err(e) => {
                    let err = store_error(prefix, &e);
                    tracing::warn!(bucket = %self.bucket, code = err.code(), listed = listing.objects.len(), "cannot list: {err}");
                    listing.errors.push((prefix.to_string(), err));
                    return listing;
                }
            };
            pages += 1;
            let before = listing.objects.len();
            for o in page.contents() {
                let Some(key) = o.key() else { continue };
                // Folder markers ("dir/", zero bytes) are not objects.
                if key.ends_with('/') {
                    continue;
                }
                listing.objects.push(ObjectMeta {
                    key: key.to_string(),
                    size: o.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                    modified: o
                        .last_modified()
                        .and_then(|t| chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos())),
                    etag: o.e_tag().map(String::from),
                });
            }
            self.stats
                .listed
                .fetch_add((listing.objects.len() - before) as u64, Ordering::Relaxed);
            if pages.is_multiple_of(10) {
                tracing::info!(bucket = %self.bucket, objects = listing.objects.len(), pages, "listing");
            }
            match page.next_continuation_token() {
                Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_string()),
                _ => break,
            }
        }
        tracing::info!(bucket = %self.bucket, prefix, objects = listing.objects.len(), pages, "listed");
        listing
    }

    async fn head(&self, key: &str) -> Result<ObjectMeta, StoreError> {
        let _permit = self.permit().await?;
        self.stats.head.fetch_add(1, Ordering::Relaxed);
        let out = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| store_error(key, &e))?;
        Ok(ObjectMeta {
            key: key.to_string(),
            size: out
                .content_length()
                .and_then(|s| u64::try_from(s).ok())
                .unwrap_or(0),
            modified: out
                .last_modified()
                .and_then(|t| chrono::DateTime::from_timestamp(t.secs(), t.subsec_nanos())),
            etag: out.e_tag().map(String::from),
        })
    }

    async fn get_range(&self, key: &str, range: Range<u64>) -> Result<Bytes, StoreError> {
        if range.start > range.end {
            return Err(StoreError::OutOfRange {
                start: range.start,
                end: range.end,
                size: 0,
            });
        }
        if range.start == range.end {
            return Ok(Bytes::new());
        }
        let header = format!("bytes={}-{}", range.start, range.end - 1);
        let mut attempt = 1;
        loop {
            let got = {
                let _permit = self.permit().await?;
                self.stats.get.fetch_add(1, Ordering::Relaxed);
                self.get_once(key, &header, &range).await
            };
            match got {
                Ok(bytes) => {
                    self.stats
                        .bytes
                        .fetch_add(bytes.len() as u64, Ordering::Relaxed);
                    return Ok(bytes);
                }
                Err(GetFailure::Body(e)) if attempt < self.body_attempts => {
                    self.stats.failed_attempts.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(bucket = %self.bucket, code = e.code(), attempt, "S3 response body failed; retrying the ranged get: {e}");
                    let backoff = 100u64 << attempt.min(6);
                    let nanos = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| u64::from(d.subsec_nanos()))
                        .unwrap_or(0);
                    let jitter = nanos % (backoff / 2 + 1);
                    tokio::time::sleep(Duration::from_millis(backoff / 2 + jitter)).await;
                    attempt += 1;
                }
                Err(GetFailure::Body(e) | GetFailure::Request(e)) => return Err(e),
            }
        }
    }

    fn io_stats(&self) -> IoStats {
        IoStats {
            list_requests: self.stats.list.load(Ordering::Relaxed),
            get_requests: self.stats.get.load(Ordering::Relaxed),
            head_requests: self.stats.head.load(Ordering::Relaxed),
            failed_attempts: self.stats.failed_attempts.load(Ordering::Relaxed),
            bytes_fetched: self.stats.bytes.load(Ordering::Relaxed),
            objects_listed: self.stats.listed.load(Ordering::Relaxed),
        }
    }
}

impl S3Store {
    async fn get_once(
        &self,
        key: &str,
        header: &str,
        range: &Range<u64>,
    ) -> Result<Bytes, GetFailure> {
        let out = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .range(header)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) => {
                if let SdkError::ServiceError(se) = &e
                    && (se.raw().status().as_u16() == 416
                        || se.err().code() == Some("InvalidRange"))
                {
                    return Err(GetFailure::Request(StoreError::OutOfRange {
                        start: range.start,
                        end: range.end,
                        size: 0,
                    }));
                }
                return Err(GetFailure::Request(store_error(key, &e)));
            }
        };
        let ranged_reply = out.content_range().map(String::from);
        let expected = out.content_length().and_then(|l| u64::try_from(l).ok());
        let body = tokio::time::timeout(self.body_timeout, out.body.collect())
            .await
            .map_err(|_| {
                GetFailure::Body(StoreError::Timeout(format!(
                    "{key}: response body not received in time"
                )))
            })?
            .map_err(|_| {
                GetFailure::Body(StoreError::Io(format!(
                    "{key}: connection lost while reading the response body"
                )))
            })?;
        let bytes = body.into_bytes();
        let want = range.end - range.start;
        if let Some(len) = expected
            && len != bytes.len() as u64
        {
            return Err(GetFailure::Body(StoreError::Io(format!(
                "{key}: response body cut short ({} of {len} bytes)",
                bytes.len()
            ))));
        }
        if (ranged_reply.is_none() && range.start > 0) || bytes.len() as u64 > want {
            // A server that ignored the Range header sent the whole object:
            // keep what was asked.
            let from = usize::try_from(range.start)
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            let to = usize::try_from(range.end)
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            if ranged_reply.is_none() {
                return Ok(bytes.slice(from..to));
            }
            return Ok(bytes.slice(0..(want as usize).min(bytes.len())));
        }
        Ok(bytes)
    }
}
