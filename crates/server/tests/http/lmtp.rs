//! The LMTP listener's sessions, in process over a pipe: one answer per recipient after
//! DATA, dot-unstuffing, the command order, size limits, and refusals with the codes an
//! MTA acts on.

use serde_json::json;
use tierdesk_aws::Operation;
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufReader};

use crate::support::{CUSTOMER_EMAIL, both_engines};

/// Runs one session with everything `script` sends (pipelined, as LMTP allows) and
/// returns every line the server answered.
async fn converse(s: &crate::support::Server, script: &str, max_bytes: usize) -> Vec<String> {
    let (client, server) = tokio::io::duplex(1 << 20);
    let (read, write) = tokio::io::split(server);
    let app = s.app.clone();
    let session = tokio::spawn(async move {
        tierdesk_server::mail_in::session(BufReader::new(read), write, &app, max_bytes).await
    });
    let (mut from_server, mut to_server) = tokio::io::split(client);
    to_server
        .write_all(script.replace('\n', "\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    from_server.read_to_string(&mut out).await.unwrap();
    let _ = session.await.unwrap();
    out.lines().map(str::to_string).collect()
}

both_engines! {
    async fn lmtp_answers_each_recipient_and_stores_the_mail_once(s) {
        let created = s
            .aws(
                Operation::CreateCase,
                json!({"subject": "Queue stuck", "communicationBody": "Messages pile up.", "severityCode": "low"}),
            )
            .await
            .json();
        let case_id = created["caseId"].as_str().unwrap().to_string();
        let script = format!(
            "LHLO mta.example\nMAIL FROM:<{CUSTOMER_EMAIL}> SIZE=300\nRCPT TO:<support@tierdesk.test>\n\
             RCPT TO:<help@tierdesk.test>\nDATA\nFrom: {CUSTOMER_EMAIL}\nSubject: Re: x\nMessage-ID: <m1@example.com>\n\
             References: <{case_id}@tierdesk.test>\n\nThe queue drains again.\n..dot-stuffed line\n.\nQUIT\n"
        );
        let lines = converse(&s, &script, 10_000).await;
        let stored: Vec<&String> = lines.iter().filter(|l| l.starts_with("250 2.0.0 stored")).collect();
        assert_eq!(stored.len(), 2, "one answer per recipient: {lines:#?}");
        assert_eq!(lines.last().unwrap(), "221 2.0.0 bye");
        let comms = s
            .aws(Operation::DescribeCommunications, json!({"caseId": case_id}))
            .await
            .json();
        assert_eq!(
            comms["communications"][0]["body"],
            "The queue drains again.\n.dot-stuffed line"
        );

        // Refusals: a stranger, a size declared too large, commands out of order.
        let script = format!(
            "LHLO mta.example\nRCPT TO:<a@b>\nDATA\nMAIL FROM:<x@y> SIZE=999999\n\
             MAIL FROM:<mallory@evil.example>\nRCPT TO:<support@tierdesk.test>\nDATA\n\
             From: mallory@evil.example\nSubject: Re: [Case 1]\nReferences: <{case_id}@tierdesk.test>\n\nhi\n.\nQUIT\n"
        );
        let lines = converse(&s, &script, 10_000).await;
        assert!(lines.iter().any(|l| l.starts_with("503 5.5.1 MAIL first")), "{lines:#?}");
        assert!(lines.iter().any(|l| l.starts_with("503 5.5.1 RCPT first")));
        assert!(lines.iter().any(|l| l.starts_with("552 5.3.4")));
        assert!(lines.iter().any(|l| l.starts_with("550 ") && l.contains("mallory@evil.example")));

        // A mail larger than the limit is read to its end and refused; the session goes on.
        let big = "x".repeat(200);
        let script = format!(
            "LHLO m\nMAIL FROM:<{CUSTOMER_EMAIL}>\nRCPT TO:<s@t>\nDATA\nFrom: {CUSTOMER_EMAIL}\n\n{big}\n.\nNOOP\nQUIT\n"
        );
        let lines = converse(&s, &script, 100).await;
        assert!(lines.iter().any(|l| l.starts_with("552 5.3.4")), "{lines:#?}");
        assert!(lines.iter().any(|l| l == "250 2.0.0 OK"));

        // Garbage instead of a mail: refused as malformed, and kept.
        let lines = converse(&s, "LHLO m\nMAIL FROM:<a@b>\nRCPT TO:<s@t>\nDATA\n\nno header\n.\nQUIT\n", 10_000).await;
        assert!(lines.iter().any(|l| l.starts_with("554 5.6.0")), "{lines:#?}");
        let kept = s.app.inbound_mail(Some("malformed"), 10).await.unwrap();
        assert_eq!(kept.len(), 1);

        // A line longer than any command ends the session.
        let lines = converse(&s, &format!("LHLO {}\n", "x".repeat(5000)), 10_000).await;
        assert_eq!(lines, ["220 tierdesk LMTP ready"]);
    }
}
