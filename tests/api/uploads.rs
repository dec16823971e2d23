//! No upload can exhaust the server: a bad link or token is refused before
//! any of the body is read, a streamed (chunked) body is cut off at the
//! first limit it passes, and a body that stalls is timed out. The memory
//! figures come from a real `rightsdesk serve` process, measured from
//! /proc while 200 MB are sent at it.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use rightsdesk::domain::Role;

use crate::helpers::{form_field, spawn_app_with, TestApp};

const MB: usize = 1_048_576;
const BOUNDARY: &str = "rightsdesk-upload-test";

/// A multipart body of `size` bytes: identity "files" of 4 MB each, one
/// after another, produced as it is read; `sent` counts what the server
/// pulled.
fn endless_file(size: usize, sent: Arc<AtomicUsize>) -> reqwest::Body {
    let mut part = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"identity\"; filename=\"big.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n%PDF-1.7\n"
    )
    .into_bytes();
    part.extend(std::iter::repeat_n(b'0', 4 * MB));
    part.extend_from_slice(b"\r\n");
    let part = Arc::new(part);
    let chunks = stream::unfold(0usize, move |done| {
        let sent = sent.clone();
        let part = part.clone();
        async move {
            if done >= size {
                return None;
            }
            let at = done % part.len();
            let end = (at + 64 * 1024).min(part.len());
            let bytes = part[at..end].to_vec();
            sent.fetch_add(bytes.len(), Ordering::Relaxed);
            Some((Ok::<_, std::io::Error>(bytes), done + (end - at)))
        }
    });
    reqwest::Body::wrap_stream(chunks)
}

/// A real server process, stopped when dropped.
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
    pub(crate) _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub(crate) async fn start() -> Server {
        Server::start_in(tempfile::tempdir().unwrap()).await
    }

    /// Stops the server, keeping its data directory.
    pub(crate) fn stop(mut self) -> tempfile::TempDir {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let dir = tempfile::Builder::new().tempdir().unwrap();
        std::mem::replace(&mut self._dir, dir)
    }

    /// Starts a server on an existing data directory.
    pub(crate) async fn start_in(dir: tempfile::TempDir) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let child = Command::new(env!("CARGO_BIN_EXE_rightsdesk"))
            .arg("serve")
            .env("RIGHTSDESK_DATA_DIR", dir.path())
            .env("RIGHTSDESK_BIND", format!("127.0.0.1:{port}"))
            .env("RIGHTSDESK_BASE_URL", &base)
            .env(
                "RIGHTSDESK__STORAGE__TEMPLATES_DIR",
                concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
            )
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "off")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server {
            child,
            base,
            _dir: dir,
        };
        for _ in 0..200 {
            if reqwest::get(format!("{}/healthz", server.base))
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not start");
    }

    /// Files a request for access on the public form, as a browser would.
    pub(crate) async fn file_a_request(&self) {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let form = client
            .get(format!("{}{}", self.base, crate::helpers::DETAILS_PAGE))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = form_field(&form, "csrf_token").to_owned();
        let mut fields = crate::helpers::valid_request("access");
        fields.push(("csrf_token", &csrf));
        let r = client
            .post(format!("{}/requests", self.base))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success() || r.status().is_redirection());
    }

    /// (resident now, peak resident so far), in bytes.
    fn memory(&self) -> (usize, usize) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<usize>().ok())
                .unwrap()
                * 1024
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

#[tokio::test]
async fn a_200_mb_chunked_upload_with_a_bad_link_is_refused_without_holding_it() {
    let server = Server::start().await;
    let (before, _) = server.memory();
    let sent = Arc::new(AtomicUsize::new(0));
    let token = "A".repeat(43);
    let started = Instant::now();
    let response = reqwest::Client::new()
        .post(format!(
            "{}/status/{token}/documents?csrf_token=tok",
            server.base
        ))
        .header("Cookie", "rd_csrf=tok")
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(endless_file(200 * MB, sent.clone()))
        .send()
        .await;
    // Refused: with the page saying why, or by closing the connection
    // before the body was read.
    if let Ok(r) = response {
        assert_eq!(r.status().as_u16(), 404);
    }
    let (_, peak) = server.memory();
    assert!(
        peak.saturating_sub(before) < 32 * MB,
        "memory grew by {} MB",
        peak.saturating_sub(before) / MB
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    // And the same without the CSRF token: refused before reading too.
    let response = reqwest::Client::new()
        .post(format!("{}/status/{token}/documents", server.base))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(endless_file(200 * MB, Arc::new(AtomicUsize::new(0))))
        .send()
        .await;
    if let Ok(r) = response {
        assert_eq!(r.status().as_u16(), 403);
    }
    let (_, peak) = server.memory();
    assert!(peak.saturating_sub(before) < 32 * MB);
}

/// A case waiting for documents, and its status page's path.
async fn waiting_for_documents(app: &TestApp) -> String {
    let agent = app.staff("agent@example.org", Role::Agent).await;
    let reference = app.confirmed_case("access", "ada@example.com").await;
    let ack = app
        .wait_for_email_to("ada@example.com", "We have received")
        .await;
    let start = ack.text.find("/status/").unwrap();
    let path: String = ack.text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    agent
        .act_ok(
            &reference,
            "request_identity",
            &[("message", "Please send your passport and a recent bill.")],
        )
        .await;
    path
}

async fn post_streamed(
    app: &TestApp,
    path: &str,
    body: reqwest::Body,
) -> Option<reqwest::Response> {
    let page = app.get(path).await.text().await.unwrap();
    let csrf = form_field(&page, "csrf_token").to_owned();
    app.client
        .post(app.url(&format!("{path}/documents?csrf_token={csrf}")))
        .header(
            "Content-Type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .ok()
}

#[tokio::test]
async fn a_chunked_upload_is_cut_off_at_its_limit() {
    let app = spawn_app_with(crate::helpers::default_now(), |s| {
        s.uploads.max_file_bytes = 2 * MB;
        s.uploads.max_request_bytes = 3 * MB;
    })
    .await;
    let path = waiting_for_documents(&app).await;
    let sent = Arc::new(AtomicUsize::new(0));
    let response = post_streamed(&app, &path, endless_file(200 * MB, sent.clone())).await;
    if let Some(r) = response {
        assert_eq!(r.status().as_u16(), 413);
        assert!(r.text().await.unwrap().contains("too large"));
    }
    // The server answered at the limit and never took the whole body.
    // (After answering, the connection may drain a little of what is in
    // flight before it closes, kept nowhere; the memory bound itself is
    // measured on a real process above.)
    assert!(
        sent.load(Ordering::Relaxed) < 200 * MB,
        "{} MB read",
        sent.load(Ordering::Relaxed) / MB
    );
    assert_eq!(app.db(rightsdesk::db::documents::count_all), 0);
}

#[tokio::test]
async fn an_upload_that_stalls_is_timed_out() {
    let app = spawn_app_with(crate::helpers::default_now(), |s| {
        s.uploads.read_timeout_secs = 1;
    })
    .await;
    let path = waiting_for_documents(&app).await;
    let head = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"identity\"; filename=\"a.pdf\"\r\n\r\n%PDF"
    );
    // A few bytes, then nothing for a minute.
    let body =
        stream::iter([Ok::<_, std::io::Error>(head.into_bytes())]).chain(stream::once(async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(Vec::new())
        }));
    let started = Instant::now();
    let response = post_streamed(&app, &path, reqwest::Body::wrap_stream(body)).await;
    if let Some(r) = response {
        assert_eq!(r.status().as_u16(), 408);
        assert!(r.text().await.unwrap().contains("took too long"));
    }
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(app.db(rightsdesk::db::documents::count_all), 0);
}

#[tokio::test]
async fn data_files_and_folders_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let server = Server::start().await;
    // File a request, so that an email file is written too.
    server.file_a_request().await;
    let data = server._dir.path();
    let mail = data.join("mail");
    for _ in 0..100 {
        if std::fs::read_dir(&mail).is_ok_and(|d| d.count() > 0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(data), 0o700, "data folder");
    assert_eq!(mode(&mail), 0o700, "mail folder");
    for name in [
        "rightsdesk.db",
        "rightsdesk.db-wal",
        "rightsdesk.db-shm",
        "upload.key",
    ] {
        let path = data.join(name);
        if path.exists() {
            assert_eq!(mode(&path), 0o600, "{name}");
        }
    }
    assert_eq!(mode(&data.join("rightsdesk.db")), 0o600);
    let emails: Vec<_> = std::fs::read_dir(&mail).unwrap().flatten().collect();
    assert!(!emails.is_empty());
    for email in emails {
        assert_eq!(mode(&email.path()), 0o600, "{:?}", email.path());
    }
}

#[tokio::test]
async fn keys_rotate_re_encrypts_documents_and_emails() {
    use base64::Engine;
    use std::io::Write;
    let server = Server::start().await;
    // A request, so that an email body is stored sealed.
    server.file_a_request().await;
    let dir = server.stop();
    let old_key = std::fs::read(dir.path().join("upload.key")).unwrap();
    let old_sealer = rightsdesk::crypto::Sealer::new(&old_key.clone().try_into().unwrap());
    // And a document, sealed with the current key as an upload would be.
    let url = format!("sqlite://{}", dir.path().join("rightsdesk.db").display());
    {
        let (pool, _) = rightsdesk::db::connect(&url, 1).unwrap();
        let mut conn = pool.get().unwrap();
        let stored = rightsdesk::db::outbox::all(&mut conn).unwrap();
        let case = rightsdesk::db::cases::CaseId(stored[0].case_id.unwrap());
        let aad = rightsdesk::crypto::document_aad(case.0, "identity");
        let (nonce, sealed) = old_sealer.seal(b"%PDF-1.7 passport", &aad);
        rightsdesk::db::documents::insert(
            &mut conn,
            case,
            "identity",
            "application/pdf",
            17,
            &nonce,
            &sealed,
            rightsdesk::db::timestamp(chrono::Utc::now()),
        )
        .unwrap();
    }
    let rotate = |input: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rightsdesk"))
            .args(["keys", "rotate"])
            .env("RIGHTSDESK_DATA_DIR", dir.path())
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "off")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // Bad keys are refused, and nothing changes.
    let (code, err) = rotate("not a key\n");
    assert_eq!(code, 2);
    assert!(err.contains("not base64"), "{err}");
    let (code, err) = rotate("c2hvcnQ=\n");
    assert_eq!(code, 2);
    assert!(err.contains("32 bytes"), "{err}");
    assert_eq!(
        std::fs::read(dir.path().join("upload.key")).unwrap(),
        old_key
    );
    // A good one re-encrypts and replaces the development key file.
    let new_key = [9u8; 32];
    let b64 = base64::engine::general_purpose::STANDARD.encode(new_key);
    let (code, err) = rotate(&format!("{b64}\n"));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("re-encrypted 1 document(s) and 1 email(s)"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.path().join("upload.key")).unwrap(),
        new_key
    );
    // The stored email and document open with the new key, not the old one.
    let (pool, _) = rightsdesk::db::connect(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let stored = rightsdesk::db::outbox::all(&mut conn).unwrap();
    let case = rightsdesk::db::cases::CaseId(stored[0].case_id.unwrap());
    let new = rightsdesk::crypto::Sealer::new(&new_key);
    let shown = rightsdesk::db::outbox::for_case(&mut conn, &new, case).unwrap();
    assert!(shown[0].body_text.contains("confirm"));
    let old: [u8; 32] = old_key.try_into().unwrap();
    let old = rightsdesk::crypto::Sealer::new(&old);
    assert!(rightsdesk::db::outbox::for_case(&mut conn, &old, case).is_err());
    let doc = rightsdesk::db::documents::list(&mut conn, case).unwrap()[0].id;
    let sealed = rightsdesk::db::documents::sealed(&mut conn, case, doc)
        .unwrap()
        .unwrap();
    let aad = rightsdesk::crypto::document_aad(case.0, "identity");
    assert_eq!(
        new.open(&sealed.nonce, &sealed.ciphertext, &aad).unwrap(),
        b"%PDF-1.7 passport"
    );
    assert!(old.open(&sealed.nonce, &sealed.ciphertext, &aad).is_err());
    // And the app starts on the new key.
    drop(conn);
    let server = Server::start_in(dir).await;
    assert!(reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap()
        .status()
        .is_success());
}
