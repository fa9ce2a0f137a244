//! A small fault-injecting HTTP proxy on loopback, in front of the real S3
//! test server: it forwards each request (one per connection) and, by rule,
//! answers 503 SlowDown instead, cuts a response body mid-way (connection
//! reset), delays, never answers, stalls mid-body, or deletes an object
//! right before its first GET.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Answer 503 SlowDown to the first N requests whose path contains the
    /// string ("" for all requests).
    pub slow_down: Option<(String, u64)>,
    /// Cut the body of the first N GET responses whose path contains the
    /// string: half the body, then a reset.
    pub reset_body: Option<(String, u64)>,
    /// Before forwarding the first GET of (bucket, key), delete that object
    /// on the server (through the S3 API).
    pub delete_before_get: Option<(String, String)>,
    /// Wait this long before forwarding each request.
    pub delay: Option<Duration>,
    /// Requests whose path contains the string: read the request, then
    /// never answer (the connection stays open).
    pub hang: Option<String>,
    /// GET responses whose path contains the string: send the head and half
    /// the body, then stall with the connection open.
    pub stall_body: Option<String>,
}

pub struct Proxy {
    pub url: String,
    pub requests: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Shared {
    upstream: SocketAddr,
    rules: Rules,
    requests: Arc<AtomicU64>,
    slowed: AtomicU64,
    reset: AtomicU64,
    deleted: AtomicU64,
}

/// Starts a proxy to `upstream` (`http://127.0.0.1:PORT`).
pub fn start(upstream: &str, rules: Rules) -> Proxy {
    let addr: SocketAddr = upstream
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("upstream is http://IP:PORT");
    let rt = super::runtime();
    let listener = rt
        .block_on(TcpListener::bind("127.0.0.1:0"))
        .expect("bind proxy");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let requests = Arc::new(AtomicU64::new(0));
    let shared = Arc::new(Shared {
        upstream: addr,
        rules,
        requests: requests.clone(),
        slowed: AtomicU64::new(0),
        reset: AtomicU64::new(0),
        deleted: AtomicU64::new(0),
    });
    let task = rt.spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                continue;
            };
            let shared = shared.clone();
            tokio::spawn(async move {
                let _ = handle(sock, &shared).await;
            });
        }
    });
    Proxy {
        url,
        requests,
        task,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads one HTTP message head (and a Content-Length body) from `sock`.
async fn read_request(sock: &mut TcpStream) -> std::io::Result<Option<(String, Vec<u8>)>> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 16 << 10];
    let head_end = loop {
        if let Some(p) = find(&buf, b"\r\n\r\n") {
            break p + 4;
        }
        let n = sock.read(&mut tmp).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let len: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = sock.read(&mut tmp).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&tmp[..n]);
    }
    Ok(Some((head, buf[head_end..].to_vec())))
}

/// Sends `head` + `body` upstream with `Connection: close` and returns the
/// whole response.
async fn forward(upstream: SocketAddr, head: &str, body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = String::new();
    for line in head.split("\r\n") {
        if line.is_empty() || line.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut up = TcpStream::connect(upstream).await?;
    up.write_all(out.as_bytes()).await?;
    up.write_all(body).await?;
    let mut resp = Vec::new();
    up.read_to_end(&mut resp).await?;
    Ok(resp)
}

fn take(counter: &AtomicU64, limit: u64) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
            (n < limit).then_some(n + 1)
        })
        .is_ok()
}

async fn handle(mut sock: TcpStream, s: &Shared) -> std::io::Result<()> {
    let Some((head, body)) = read_request(&mut sock).await? else {
        return Ok(());
    };
    s.requests.fetch_add(1, Ordering::SeqCst);
    let mut first = head.lines().next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_string();
    let path = first.next().unwrap_or_default().to_string();
    if let Some(d) = s.rules.delay {
        tokio::time::sleep(d).await;
    }
    if let Some(pat) = &s.rules.hang
        && path.contains(pat.as_str())
    {
        return stall(sock).await;
    }
    if let Some((pat, n)) = &s.rules.slow_down
        && path.contains(pat.as_str())
        && take(&s.slowed, *n)
    {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>proxy</RequestId></Error>";
        let resp = format!(
            "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
            xml.len()
        );
        sock.write_all(resp.as_bytes()).await?;
        sock.shutdown().await?;
        return Ok(());
    }
    if method == "GET"
        && let Some((bucket, key)) = &s.rules.delete_before_get
        && path
            .split('?')
            .next()
            .unwrap_or_default()
            .ends_with(key.as_str())
        && take(&s.deleted, 1)
    {
        super::client_for(&format!("http://{}", s.upstream))
            .delete_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    let resp = forward(s.upstream, &head, &body).await?;
    if method == "GET"
        && let Some((pat, n)) = &s.rules.reset_body
        && path.contains(pat.as_str())
        && !path.contains("list-type")
        && take(&s.reset, *n)
    {
        write_headers_and_half_the_body(&mut sock, &resp).await?;
        // Drop with SO_LINGER 0: the peer sees a reset, not a clean close.
        #[allow(deprecated)]
        let _ = sock.set_linger(Some(Duration::ZERO));
        drop(sock);
        return Ok(());
    }
    if method == "GET"
        && let Some(pat) = &s.rules.stall_body
        && path.contains(pat.as_str())
        && !path.contains("list-type")
    {
        write_headers_and_half_the_body(&mut sock, &resp).await?;
        return stall(sock).await;
    }
    sock.write_all(&resp).await?;
    sock.shutdown().await?;
    Ok(())
}

/// Keeps the connection open without sending anything, until the client
/// gives up (reads return 0) or the proxy is dropped.
/// Sends a response's headers and the first half of its body: the start of a
/// transfer that then fails (reset) or stalls.
async fn write_headers_and_half_the_body(sock: &mut TcpStream, resp: &[u8]) -> std::io::Result<()> {
    let head_end = find(resp, b"\r\n\r\n").map(|p| p + 4).unwrap_or(resp.len());
    let cut = head_end + (resp.len() - head_end) / 2;
    sock.write_all(&resp[..cut]).await?;
    sock.flush().await
}

async fn stall(mut sock: TcpStream) -> std::io::Result<()> {
    let mut tmp = [0u8; 1024];
    while sock.read(&mut tmp).await? > 0 {}
    Ok(())
}
