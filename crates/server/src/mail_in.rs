//! Mail in at the edge: a received message's MIME read into the app's `Inbound`
//! (mail-parser), and the LMTP listener (RFC 2033) an MTA delivers to. What a mail does is
//! the app's (`tierdesk_app::mail_in`); this module reads bytes and answers with the
//! reply codes an MTA acts on: 250 stored, 550 a stranger or an unknown case, 554 a
//! malformed mail (all bounced), 451 try again later.

use std::sync::Arc;
use std::time::Duration;

use mail_parser::{MessageParser, MimeHeaders};
use tierdesk_app::App;
use tierdesk_app::files::NewFile;
use tierdesk_app::mail_in::{Inbound, Received, Refused};
use tierdesk_core::mail_text::automatic;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// The largest mail accepted: three 5 MiB attachments, base64-encoded, and the text.
pub const DEFAULT_MAX_BYTES: usize = 24 * 1024 * 1024;
/// The longest command line (RFC 5321 allows 512; a generous margin for extensions).
const MAX_LINE: usize = 4096;
const MAX_RECIPIENTS: usize = 100;
const IDLE: Duration = Duration::from_secs(300);
const SESSIONS: usize = 64;

/// Reads a raw message; `Err` says why it is not a mail at all.
pub fn read(raw: &[u8], envelope_sender: Option<&str>) -> Result<Inbound, String> {
    if raw.is_empty() {
        return Err("the message is empty".into());
    }
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| "the message cannot be read as MIME".to_string())?;
    if msg.headers().is_empty() {
        return Err("the message has no header".into());
    }
    if msg.from().is_none() && msg.message_id().is_none() && msg.subject().is_none() {
        return Err("the message has neither From, Message-ID nor Subject".into());
    }
    let bracket = |id: &str| format!("<{}>", id.trim_matches(['<', '>']));
    let mut thread: Vec<String> = Vec::new();
    for list in [msg.in_reply_to(), msg.references()] {
        for id in list.as_text_list().unwrap_or_default() {
            thread.push(bracket(id));
        }
    }
    let content_type = msg.root_part().content_type().map(|ct| match ct.subtype() {
        Some(sub) => format!("{}/{sub}", ct.ctype()),
        None => ct.ctype().to_string(),
    });
    let mut auto = automatic(
        msg.header_raw("Auto-Submitted"),
        msg.header_raw("Precedence"),
        content_type.as_deref(),
        envelope_sender,
    );
    // Vacation responders that predate RFC 3834.
    for h in ["X-Autoreply", "X-Autorespond"] {
        if auto.is_none() && msg.header_raw(h).is_some() {
            auto = Some(format!("{h} header"));
        }
    }
    let attachments = msg
        .attachments()
        .map(|part| NewFile {
            file_name: Some(
                part.attachment_name()
                    .map(str::to_string)
                    .unwrap_or_else(|| {
                        if part.is_message() {
                            "message.eml".into()
                        } else {
                            "attachment".into()
                        }
                    }),
            ),
            data: Some(part.contents().to_vec()),
        })
        .collect();
    Ok(Inbound {
        message_id: msg.message_id().map(bracket),
        from: msg
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .map(str::to_string),
        subject: msg.subject().unwrap_or_default().to_string(),
        thread,
        automatic: auto,
        text: msg.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        attachments,
        raw: raw.to_vec(),
    })
}

/// What a received mail came to, as an MTA reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Stored(Received),
    Refused(Refused),
}

/// Reads and receives one raw message.
pub async fn deliver(app: &App, raw: &[u8], envelope_sender: Option<&str>) -> Verdict {
    match read(raw, envelope_sender) {
        Ok(mail) => match app.receive_mail(mail).await {
            Ok(r) => Verdict::Stored(r),
            Err(e) => Verdict::Refused(e),
        },
        Err(reason) => match app.refuse_malformed_mail(raw, &reason).await {
            Ok(()) => Verdict::Refused(Refused::Malformed(reason)),
            Err(e) => Verdict::Refused(e),
        },
    }
}

/// The LMTP reply for a verdict.
fn reply(v: &Verdict) -> String {
    let line = |code: &str, text: &str| {
        // One line of printable ASCII: a reason may quote what the sender wrote.
        let text: String = text
            .chars()
            .map(|c| {
                if c.is_ascii_graphic() || c == ' ' {
                    c
                } else {
                    '?'
                }
            })
            .take(400)
            .collect();
        format!("{code} {text}\r\n")
    };
    match v {
        Verdict::Stored(Received::Ignored { reason }) => {
            line("250 2.0.0", &format!("ignored: {reason}"))
        }
        Verdict::Stored(_) => line("250 2.0.0", "stored"),
        Verdict::Refused(Refused::Stranger(r)) => line("550 5.7.1", r),
        Verdict::Refused(Refused::UnknownCase(r)) => line("550 5.1.1", r),
        Verdict::Refused(Refused::Malformed(r)) => line("554 5.6.0", r),
        Verdict::Refused(Refused::Unavailable(_)) => {
            line("451 4.3.0", "temporarily unavailable, try again later")
        }
    }
}

/// Serves LMTP for ever: each session in a task, at most `SESSIONS` at once.
pub async fn serve_lmtp(listener: TcpListener, app: App, max_bytes: usize) {
    let gate = Arc::new(tokio::sync::Semaphore::new(SESSIONS));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "LMTP accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let Ok(permit) = gate.clone().try_acquire_owned() else {
            // Busy: the MTA retries later.
            let mut stream = stream;
            let _ = stream
                .write_all(b"421 4.3.2 too many sessions, try again later\r\n")
                .await;
            continue;
        };
        let app = app.clone();
        tokio::spawn(async move {
            let (read, write) = stream.into_split();
            if let Err(e) = session(BufReader::new(read), write, &app, max_bytes).await {
                tracing::info!(%peer, error = %e, "LMTP session ended");
            }
            drop(permit);
        });
    }
}

/// A line, at most `MAX_LINE` bytes (`None` at the end of the stream); a longer one is an
/// error that ends the session.
async fn read_line<R: AsyncRead + Unpin>(
    r: &mut BufReader<R>,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<usize>> {
    buf.clear();
    let n = tokio::time::timeout(IDLE, (&mut *r).take(max as u64 + 1).read_until(b'\n', buf))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "idle"))??;
    if n == 0 {
        return Ok(None);
    }
    if n > max {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "line too long",
        ));
    }
    Ok(Some(n))
}

/// One LMTP session (RFC 2033): LHLO, then transactions of MAIL, RCPT..., DATA, each
/// answered once per accepted recipient.
pub async fn session<R, W>(
    mut r: BufReader<R>,
    mut w: W,
    app: &App,
    max_bytes: usize,
) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    w.write_all(b"220 tierdesk LMTP ready\r\n").await?;
    let mut line = Vec::with_capacity(512);
    let mut greeted = false;
    let mut sender: Option<String> = None;
    let mut recipients = 0usize;
    while read_line(&mut r, &mut line, MAX_LINE).await?.is_some() {
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        let (verb, arg) = match text.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.trim()),
            None => (text.to_ascii_uppercase(), ""),
        };
        let answer: String = match verb.as_str() {
            "LHLO" if !arg.is_empty() => {
                greeted = true;
                sender = None;
                recipients = 0;
                format!(
                    "250-tierdesk\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 SIZE {max_bytes}\r\n"
                )
            }
            "LHLO" => "501 5.5.4 LHLO needs a name\r\n".into(),
            _ if !greeted && verb != "QUIT" && verb != "NOOP" => "503 5.5.1 LHLO first\r\n".into(),
            "MAIL" => match path(arg, "FROM:") {
                Some((addr, params)) => {
                    let declared = params.split_whitespace().find_map(|p| {
                        p.to_ascii_uppercase()
                            .strip_prefix("SIZE=")
                            .and_then(|n| n.parse::<usize>().ok())
                    });
                    if declared.is_some_and(|n| n > max_bytes) {
                        format!("552 5.3.4 the mail is larger than {max_bytes} bytes\r\n")
                    } else {
                        sender = Some(addr);
                        recipients = 0;
                        "250 2.1.0 OK\r\n".into()
                    }
                }
                None => "501 5.5.4 MAIL FROM:<address>\r\n".into(),
            },
            "RCPT" if sender.is_none() => "503 5.5.1 MAIL first\r\n".into(),
            "RCPT" if recipients >= MAX_RECIPIENTS => "452 4.5.3 too many recipients\r\n".into(),
            "RCPT" => match path(arg, "TO:") {
                Some(_) => {
                    recipients += 1;
                    "250 2.1.5 OK\r\n".into()
                }
                None => "501 5.5.4 RCPT TO:<address>\r\n".into(),
            },
            "DATA" if recipients == 0 => "503 5.5.1 RCPT first\r\n".into(),
            "DATA" => {
                w.write_all(b"354 go ahead, end with a line holding one dot\r\n")
                    .await?;
                let (raw, too_big) = read_data(&mut r, max_bytes).await?;
                let one = if too_big {
                    format!("552 5.3.4 the mail is larger than {max_bytes} bytes\r\n")
                } else {
                    reply(&deliver(app, &raw, sender.as_deref()).await)
                };
                sender = None;
                // LMTP answers once per recipient; the mail was received once for all.
                one.repeat(std::mem::take(&mut recipients))
            }
            "RSET" => {
                sender = None;
                recipients = 0;
                "250 2.0.0 OK\r\n".into()
            }
            "NOOP" => "250 2.0.0 OK\r\n".into(),
            "VRFY" => "252 2.5.0 cannot verify\r\n".into(),
            "QUIT" => {
                w.write_all(b"221 2.0.0 bye\r\n").await?;
                return Ok(());
            }
            _ => "500 5.5.2 unknown command\r\n".into(),
        };
        w.write_all(answer.as_bytes()).await?;
    }
    Ok(())
}

/// `FROM:<addr> PARAMS` to the address (empty for the null sender) and the parameters.
fn path<'a>(arg: &'a str, prefix: &str) -> Option<(String, &'a str)> {
    let head = arg.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = arg[prefix.len()..].trim_start();
    let rest = rest.strip_prefix('<')?;
    let (addr, params) = rest.split_once('>')?;
    Some((addr.to_string(), params.trim()))
}

/// The message after DATA, dots unstuffed, up to the lone dot; past `max` bytes the rest
/// is read and dropped (so the session stays in step) and the mail refused.
async fn read_data<R: AsyncRead + Unpin>(
    r: &mut BufReader<R>,
    max: usize,
) -> std::io::Result<(Vec<u8>, bool)> {
    let mut raw = Vec::new();
    let mut line = Vec::with_capacity(1024);
    let mut too_big = false;
    loop {
        // Message lines may be long (RFC 5322 allows 998; some clients send more).
        if read_line(r, &mut line, 64 * 1024).await?.is_none() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the connection closed in DATA",
            ));
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok((raw, too_big));
        }
        let content = if line.first() == Some(&b'.') {
            &line[1..]
        } else {
            &line[..]
        };
        if raw.len() + content.len() > max {
            too_big = true;
        }
        if !too_big {
            raw.extend_from_slice(content);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_is_read_with_its_thread_text_and_files() {
        let raw = b"From: Taro <taro@example.jp>\r\nTo: support@tierdesk.test\r\nSubject: Re: [Case 7] slow\r\n\
Message-ID: <abc@example.jp>\r\nIn-Reply-To: <case-1-a-2026-0.n1.customer.en.UTC@tierdesk.test>\r\n\
References: <case-1-a-2026-0@tierdesk.test> <case-1-a-2026-0.n1.customer.en.UTC@tierdesk.test>\r\n\
MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n\
<p>It <b>works</b> now.</p>\r\n--b\r\nContent-Type: text/plain; name=log.txt\r\nContent-Disposition: attachment; filename=log.txt\r\n\r\nline\r\n--b--\r\n";
        let m = read(raw, Some("taro@example.jp")).unwrap_or_default();
        assert_eq!(m.from.as_deref(), Some("taro@example.jp"));
        assert_eq!(m.message_id.as_deref(), Some("<abc@example.jp>"));
        assert_eq!(m.thread.len(), 3);
        assert_eq!(m.thread[1], "<case-1-a-2026-0@tierdesk.test>");
        assert!(m.text.contains("It works now."), "{}", m.text);
        assert_eq!(m.attachments.len(), 1);
        assert_eq!(m.attachments[0].file_name.as_deref(), Some("log.txt"));
        assert_eq!(m.automatic, None);
    }

    #[test]
    fn machines_and_garbage_are_told_apart() {
        let auto = b"From: a@b.example\r\nSubject: Out of office\r\nAuto-Submitted: auto-replied\r\n\r\naway\r\n";
        assert!(read(auto, None).unwrap_or_default().automatic.is_some());
        let bounce = b"From: MAILER-DAEMON@b.example\r\nSubject: Undelivered\r\n\r\nx\r\n";
        assert!(
            read(bounce, Some(""))
                .unwrap_or_default()
                .automatic
                .is_some()
        );
        assert!(read(b"", None).is_err());
        assert!(read(b"\r\n\r\njust a body", None).is_err());
    }

    #[test]
    fn paths_parse() {
        assert_eq!(
            path("FROM:<a@b> SIZE=10", "FROM:"),
            Some(("a@b".into(), "SIZE=10"))
        );
        assert_eq!(path("from: <>", "FROM:"), Some((String::new(), "")));
        assert_eq!(path("TO:a@b", "TO:"), None);
        assert_eq!(path("", "TO:"), None);
    }
}
