//! Mail subscriptions in the console: the Settings page's choices, and the unsubscribe
//! link every mail carries (asked first on GET, done on POST, one-click or by the page's
//! button; no session needed, a forged token refused).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use tierdesk_app::notify::MailSettings;
use tierdesk_core::notice::Topic;

use crate::support::{CUSTOMER_EMAIL, both_engines};

both_engines! {
    async fn the_settings_page_chooses_the_mail_a_person_receives(s) {
        let v = s.visitor(CUSTOMER_EMAIL).await;
        let page = s.get_page(&v, "/console/settings").await.text();
        assert!(page.contains("name=\"topic_case_updates\" value=\"1\" checked"), "{page}");
        // Unticked: the box is absent from the form.
        let r = s.post_form(&v, "/console/settings/subscriptions", &[("csrf", &v.csrf)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(s.app.subscriptions(CUSTOMER_EMAIL).await.unwrap(), [(Topic::CaseUpdates, false)]);
        let r = s
            .post_form(&v, "/console/settings/subscriptions", &[("csrf", &v.csrf), ("topic_case_updates", "1")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(s.get_page(&v, "/console/settings?subscriptions=saved").await.text().contains("id=\"subscriptions-saved\""));
        assert_eq!(s.app.subscriptions(CUSTOMER_EMAIL).await.unwrap(), [(Topic::CaseUpdates, true)]);

    }
}

both_engines! {
    async fn the_unsubscribe_link_asks_then_acts_without_a_session(s) {
        let mut settings = MailSettings::new("support@tierdesk.test").unwrap();
        settings.console_url = Some("https://support.example".into());
        let app = s.app.clone().with_mail(settings);
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
        let out = app.claim_mail(10).await.unwrap();
        let mail = out[0].mails.iter().find(|m| m.to == CUSTOMER_EMAIL).unwrap();
        let link = mail.unsubscribe.clone().unwrap();
        let path = link.strip_prefix("https://support.example").unwrap().to_string();

        // GET asks (link scanners follow links), and changes nothing.
        let r = s.send(Request::get(path.as_str()).body(Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.text().contains("id=\"unsubscribe-form\""));
        assert_eq!(s.app.subscriptions(CUSTOMER_EMAIL).await.unwrap(), [(Topic::CaseUpdates, true)]);
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
        assert_eq!(s.app.subscriptions(CUSTOMER_EMAIL).await.unwrap(), [(Topic::CaseUpdates, false)]);
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
        let later = app.claim_mail(10).await.unwrap();
        assert!(later.iter().flat_map(|o| &o.mails).all(|m| m.to != CUSTOMER_EMAIL));
    }
}
