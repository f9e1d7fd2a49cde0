//! Notification subscriptions in the console: the Settings page's choices by channel, a
//! person's own webhook (set, refused when it points inward, messages queued for it), and
//! the unsubscribe link every mail carries (asked first on GET, done on POST, one-click or
//! by the page's button; no session needed, a forged token refused).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tierdesk_app::notify::{MailSettings, NoticeSettings};
use tierdesk_app::people::Subscription;
use tierdesk_core::notice::{Channel, Topic};

use crate::support::{CUSTOMER_EMAIL, both_engines};

/// Whether the customer takes `topic` by `channel`.
async fn takes(s: &crate::support::Server, topic: Topic, channel: Channel) -> bool {
    let all: Vec<Subscription> = s.app.subscriptions(CUSTOMER_EMAIL).await.unwrap();
    all.iter().find(|x| x.topic == topic).unwrap().on(channel)
}

both_engines! {
    async fn the_settings_page_chooses_the_mail_a_person_receives(s) {
        let v = s.visitor(CUSTOMER_EMAIL).await;
        let page = s.get_page(&v, "/console/settings").await.text();
        assert!(page.contains("name=\"email_case_updates\" value=\"1\""), "{page}");
        assert!(page.contains("name=\"email_billing\" value=\"1\""), "{page}");
        // No webhook yet: its boxes are there but cannot be ticked.
        assert!(page.contains("name=\"webhook_case_updates\" value=\"1\""), "{page}");
        assert!(page.contains(" disabled></td>"), "{page}");
        assert!(takes(&s, Topic::CaseUpdates, Channel::Email).await);
        assert!(takes(&s, Topic::Billing, Channel::Email).await);
        // Unticked: the box is absent from the form.
        let r = s
            .post_form(&v, "/console/settings/subscriptions", &[("csrf", &v.csrf), ("email_billing", "1")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(!takes(&s, Topic::CaseUpdates, Channel::Email).await);
        assert!(takes(&s, Topic::Billing, Channel::Email).await);
        let r = s
            .post_form(&v, "/console/settings/subscriptions", &[("csrf", &v.csrf), ("email_case_updates", "1")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(s.get_page(&v, "/console/settings?subscriptions=saved").await.text().contains("id=\"subscriptions-saved\""));
        assert!(takes(&s, Topic::CaseUpdates, Channel::Email).await);
        assert!(!takes(&s, Topic::Billing, Channel::Email).await);
        // Staff choose among their own topics.
        let agent = s.visitor("agent@support.example").await;
        let page = s.get_page(&agent, "/console/settings").await.text();
        assert!(page.contains("name=\"email_new_cases\""), "{page}");
        assert!(!page.contains("name=\"email_billing\""), "{page}");
    }
}

both_engines! {
    async fn a_person_s_own_webhook_receives_the_notices_they_choose(s) {
        let v = s.visitor(CUSTOMER_EMAIL).await;
        // Pointing inward is refused (the server would call into its own network).
        for inward in ["http://127.0.0.1:8080/hook", "http://169.254.169.254/latest", "http://localhost/x", "http://[::1]/x"] {
            let r = s.post_form(&v, "/console/settings/webhook", &[("csrf", &v.csrf), ("url", inward)]).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{inward}");
            assert!(r.text().contains("id=\"webhook-error\""), "{inward}");
        }
        assert!(s.app.own_webhook(CUSTOMER_EMAIL).await.unwrap().is_none());
        let r = s
            .post_form(&v, "/console/settings/webhook", &[("csrf", &v.csrf), ("url", "https://hooks.example.com/services/T0/B0/sekrit")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let page = s.get_page(&v, r.header("location")).await.text();
        assert!(page.contains("id=\"shown-once\"") && page.contains("whsec_"), "{page}");
        // The page names the host only: the path holds the receiver's token.
        assert!(page.contains("https://hooks.example.com/…") && !page.contains("sekrit"), "{page}");
        assert!(!page.contains(" disabled></td>"), "{page}");
        // Case updates by webhook only; billing by neither.
        let r = s
            .post_form(&v, "/console/settings/subscriptions", &[("csrf", &v.csrf), ("webhook_case_updates", "1")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(takes(&s, Topic::CaseUpdates, Channel::Webhook).await);
        assert!(!takes(&s, Topic::CaseUpdates, Channel::Email).await);
        assert!(!takes(&s, Topic::Billing, Channel::Webhook).await);

        // No SMTP server: a webhook of one's own is reason enough to write notices.
        let case_id = s.open_case(&v, "low", "disk full", "the disk is full").await;
        let out = s.app.claim_notices(10).await.unwrap();
        assert_eq!(out.len(), 1);
        assert!(out[0].mails.is_empty());
        let deliveries = s.app.claim_deliveries(10).await.unwrap();
        assert_eq!(deliveries.len(), 1, "{deliveries:?}");
        let d = &deliveries[0];
        assert!(d.guarded, "a person's webhook goes through the guarded client");
        assert_eq!(d.url, "https://hooks.example.com/services/T0/B0/sekrit");
        let body: serde_json::Value = serde_json::from_str(&d.body).unwrap();
        assert_eq!(body["type"], "case.opened");
        assert_eq!(body["topic"], "case-updates");
        assert_eq!(body["recipient"], CUSTOMER_EMAIL);
        assert_eq!(body["case"]["caseId"], case_id.as_str());
        assert!(body["text"].as_str().unwrap().contains("disk full"), "{body}");
        assert!(d.headers.iter().any(|(k, v)| *k == "tierdesk-signature" && v.starts_with("t=")));
        // Claimed again (a lapsed lease), the notice queues nothing twice.
        s.app.settle_delivery(d, Ok(())).await.unwrap();

        // Removing the webhook stops its messages.
        let r = s.post_form(&v, "/console/settings/webhook/remove", &[("csrf", &v.csrf)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(s.app.own_webhook(CUSTOMER_EMAIL).await.unwrap().is_none());
        let log = s.app.store.audit(&tierdesk_store::AuditQuery { limit: 100, ..Default::default() }).await.unwrap().items;
        assert!(log.iter().any(|e| e.action.as_str() == "own-webhook.set" && e.detail == "https://hooks.example.com/…"));
        assert!(log.iter().any(|e| e.action.as_str() == "own-webhook.remove"));

    }
}

both_engines! {
    async fn the_unsubscribe_link_asks_then_acts_without_a_session(s) {
        let app = s.app.clone().with_mail(MailSettings::new("support@tierdesk.test").unwrap()).with_notices(
            NoticeSettings { console_url: Some("https://support.example".into()), ..Default::default() },
        );
        app.create_case(
            &tierdesk_testkit::api_caller(&app, crate::support::ACCOUNT).await,
            &tierdesk_testkit::operator(),
            tierdesk_app::cases::CreateCase {
                subject: Some("printer on fire".into()),
                communication_body: Some("smoke".into()),
                severity_code: Some("low".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let out = app.claim_notices(10).await.unwrap();
        let mail = out[0].mails.iter().find(|m| m.to == CUSTOMER_EMAIL).unwrap();
        let link = mail.unsubscribe.clone().unwrap();
        let path = link.strip_prefix("https://support.example").unwrap().to_string();

        // GET asks (link scanners follow links), and changes nothing.
        let r = s.send(Request::get(path.as_str()).body(Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text().contains("id=\"unsubscribe-form\""));
        assert!(takes(&s, Topic::CaseUpdates, Channel::Email).await);
        // A forged token is refused.
        let r = s.send(Request::get("/console/unsubscribe?t=AAAA").body(Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // The mail client's one-click POST, from anywhere, without a session.
        let r = s
            .send(
                Request::post(path.as_str())
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("origin", "https://mail.example")
                    .body(Body::from("List-Unsubscribe=One-Click"))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text().contains("id=\"unsubscribed\""));
        assert!(!takes(&s, Topic::CaseUpdates, Channel::Email).await);
        // The next notice skips the customer.
        app.create_case(
            &tierdesk_testkit::api_caller(&app, crate::support::ACCOUNT).await,
            &tierdesk_testkit::operator(),
            tierdesk_app::cases::CreateCase {
                subject: Some("again".into()),
                communication_body: Some("smoke".into()),
                severity_code: Some("low".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let later = app.claim_notices(10).await.unwrap();
        assert!(later.iter().flat_map(|o| &o.mails).all(|m| m.to != CUSTOMER_EMAIL));
    }
}
