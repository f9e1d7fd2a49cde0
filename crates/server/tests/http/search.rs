//! Staff's case search, in the console and the operator API: words of subjects and
//! messages (Japanese too), resolved cases included, each staff member's reach, paging
//! without a silent cut-off.

use axum::http::StatusCode;

use crate::support::{ACCOUNT, CUSTOMER_EMAIL, OTHER_ACCOUNT, both_engines};

both_engines! {
    async fn staff_find_cases_by_words_resolved_ones_included(s) {
        let customer = s.visitor(CUSTOMER_EMAIL).await;
        let agent = s.visitor("agent@support.example").await;
        let first = s.open_case(&customer, "normal", "Payments time out", "The checkout answers 504 after 30 s.").await;
        let second = s.open_case(&customer, "normal", "本番環境のデータベースが停止", "昨夜から接続できません。").await;
        // A later message, and a resolution: the case is still found.
        s.post_form(&customer, &format!("/console/cases/{first}/reply"), &[
            ("csrf", customer.csrf.as_str()),
            ("body", "The load balancer logs show a TLS handshake failure."),
        ]).await;
        s.post_form(&customer, &format!("/console/cases/{first}/resolve"), &[("csrf", customer.csrf.as_str())]).await;
        // An internal note is found by staff, never by the customer.
        s.post_form(&agent, &format!("/console/queue/{second}/message"), &[
            ("csrf", agent.csrf.as_str()),
            ("body", "Replica lag on the primary."),
            ("kind", "note"),
        ]).await;

        let page = s.get_page(&agent, "/console/search?q=handshake+payments").await;
        assert_eq!(page.status, StatusCode::OK);
        let page = page.text();
        assert!(page.contains(&format!("/console/queue/{first}")), "{page}");
        assert!(!page.contains(&format!("/console/queue/{second}")), "{page}");
        assert!(page.contains("resolved"), "{page}");
        let page = s.get_page(&agent, "/console/search?q=%E6%9C%AC%E7%95%AA").await.text();
        assert!(page.contains(&format!("/console/queue/{second}")), "本番: {page}");
        let page = s.get_page(&agent, "/console/search?q=replica+lag").await.text();
        assert!(page.contains(&format!("/console/queue/{second}")), "{page}");
        let mine = s.get_page(&customer, "/console/cases?q=replica+lag").await.text();
        assert!(!mine.contains(&second), "a customer found an internal note: {mine}");
        let mine = s.get_page(&customer, "/console/cases?q=handshake").await.text();
        assert!(mine.contains(&first), "{mine}");
        // Punctuation alone finds nothing rather than everything.
        let page = s.get_page(&agent, "/console/search?q=%25%25").await.text();
        assert!(page.contains("id=\"none\""), "{page}");
        // Customers have no staff search.
        assert_eq!(s.get_page(&customer, "/console/search?q=x").await.status, StatusCode::FORBIDDEN);

        // The API answers the same, scoped by reach: the TAM manages ACCOUNT only.
        let r = s.api("agent", "GET", "/api/v1/cases?q=handshake", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let found = r.json();
        assert_eq!(found["cases"].as_array().unwrap().len(), 1);
        assert_eq!(found["cases"][0]["caseId"], first.as_str());
        let r = s.api("tam", "GET", &format!("/api/v1/cases?account={OTHER_ACCOUNT}"), None).await.json();
        assert!(r["cases"].as_array().unwrap().is_empty(), "{r}");
        let r = s.api("tam", "GET", &format!("/api/v1/cases?account={ACCOUNT}"), None).await.json();
        assert_eq!(r["cases"].as_array().unwrap().len(), 2, "{r}");
        let r = s.api("agent", "GET", "/api/v1/cases?q=x&bogus=1", None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);

        // Paging: one result a page, each page's cursor to the next, nothing skipped.
        let mut seen = Vec::new();
        let mut url = format!("/api/v1/cases?account={ACCOUNT}&limit=1");
        loop {
            let page = s.api("admin", "GET", &url, None).await.json();
            for c in page["cases"].as_array().unwrap() {
                seen.push(c["caseId"].as_str().unwrap().to_string());
            }
            match page["nextCursor"].as_str() {
                Some(next) => url = format!("/api/v1/cases?account={ACCOUNT}&limit=1&cursor={next}"),
                None => break,
            }
        }
        assert_eq!(seen, [second.clone(), first.clone()]);
        // The console pages the same way, and the account page links to every case.
        let page = s.get_page(&agent, &format!("/console/search?account={ACCOUNT}")).await.text();
        assert!(page.contains(&first) && page.contains(&second), "{page}");
        let admin = s.visitor("admin@support.example").await;
        let account = s.get_page(&admin, &format!("/console/accounts/{ACCOUNT}")).await.text();
        assert!(account.contains(&format!("href=\"/console/search?account={ACCOUNT}\"")), "{account}");
    }
}
