//! The console under `/console`: a page per role, the role refusals, CSRF.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use tierdesk_aws::Operation;

use crate::support::{ACCOUNT, CUSTOMER_EMAIL, OTHER_ACCOUNT, Server, both_engines};

fn case_form(csrf: &str) -> Vec<(&str, &str)> {
    vec![
        ("csrf", csrf),
        ("subject", "Invoices page shows a blank screen"),
        ("body", "Since this morning the invoices page stays white."),
        ("severity", "normal"),
        (
            "service",
            "amazon-elastic-compute-cloud-linux|general-guidance",
        ),
        ("issue_type", "technical"),
    ]
}

/// How many cases the Enterprise account has, through the AWS API.
async fn case_count(s: &Server) -> usize {
    let r = s
        .aws(
            Operation::DescribeCases,
            json!({"includeResolvedCases": true}),
        )
        .await;
    r.json()["cases"].as_array().unwrap().len()
}

both_engines! {
    async fn without_a_session_pages_send_people_to_sign_in(s) {
        let r = s.send(Request::get("/console").body(Body::empty()).unwrap()).await;
        assert!(r.status.is_redirection(), "{}", r.status);
        assert_eq!(r.header("location"), "/console/sign-in");
        // Security headers are a layer: redirects carry them too.
        assert_eq!(r.header("x-frame-options"), "DENY");
        assert_eq!(r.header("x-content-type-options"), "nosniff");
        assert_eq!(r.header("cache-control"), "no-store");
        let page = s.send(Request::get("/console/sign-in").body(Body::empty()).unwrap()).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.header("content-security-policy").contains("default-src 'self'"));
        assert!(page.header("set-cookie").contains("tierdesk_login_csrf="));
        let script = s.send(Request::get("/console/static/countdown.js").body(Body::empty()).unwrap()).await;
        assert_eq!(script.header("cache-control"), "public, max-age=3600");
        assert_eq!(script.header("x-content-type-options"), "nosniff");
    }

    async fn a_customer_opens_a_case_and_reads_it_back(s) {
        let v = s.visitor(CUSTOMER_EMAIL).await;
        let home = s.get_page(&v, "/console").await;
        assert_eq!(home.status, StatusCode::OK);
        assert_eq!(home.header("cache-control"), "no-store");
        let created = s.post_form(&v, "/console/cases/new", &case_form(&v.csrf)).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
        let location = created.header("location").to_string();
        assert!(location.starts_with("/console/cases/case-111122223333-"), "{location}");
        let page = s.get_page(&v, &location).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("Invoices page shows a blank screen"));
        let list = s.get_page(&v, "/console/cases").await;
        assert!(list.text().contains("Invoices page shows a blank screen"));
        let plan = s.get_page(&v, "/console/plan").await;
        assert_eq!(plan.status, StatusCode::OK);
        // The plan says what it promises for later messages, not only the first response.
        assert!(plan.text().contains("promises no time for answers after the first response"));
    }

    async fn a_form_without_the_session_token_or_from_another_site_is_refused(s) {
        let v = s.visitor(CUSTOMER_EMAIL).await;
        let refused = s.post_form(&v, "/console/cases/new", &case_form("not-the-token")).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let mut no_token = case_form("");
        no_token.remove(0);
        let refused = s.post_form(&v, "/console/cases/new", &no_token).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        // The right token from a foreign page.
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(case_form(&v.csrf))
            .finish();
        let foreign = s
            .send(
                Request::post("/console/cases/new")
                    .header("cookie", &v.cookie)
                    .header("host", "localhost")
                    .header("origin", "https://attacker.example")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        assert_eq!(foreign.status, StatusCode::FORBIDDEN);
        assert_eq!(case_count(&s).await, 0, "a refused form must create nothing");
    }

    async fn each_role_gets_its_pages_and_is_refused_the_others(s) {
        let customer = s.visitor(CUSTOMER_EMAIL).await;
        let agent = s.visitor("agent@support.example").await;
        let tam = s.visitor("tam@support.example").await;
        let admin = s.visitor("admin@support.example").await;

        // A case for the queue.
        s.post_form(&customer, "/console/cases/new", &case_form(&customer.csrf)).await;

        let queue = s.get_page(&agent, "/console/queue").await;
        assert_eq!(queue.status, StatusCode::OK);
        assert!(queue.text().contains("Invoices page shows a blank screen"));
        assert_eq!(s.get_page(&customer, "/console/queue").await.status, StatusCode::FORBIDDEN);
        assert_eq!(s.get_page(&agent, "/console/cases").await.status, StatusCode::FORBIDDEN);

        // A TAM sees the accounts they manage, and another account is not found.
        let mine = s.get_page(&tam, "/console/accounts").await;
        assert_eq!(mine.status, StatusCode::OK);
        assert!(mine.text().contains(ACCOUNT));
        assert!(!mine.text().contains(OTHER_ACCOUNT));
        assert_eq!(
            s.get_page(&tam, &format!("/console/accounts/{OTHER_ACCOUNT}")).await.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            s.get_page(&tam, &format!("/console/accounts/{ACCOUNT}")).await.status,
            StatusCode::OK
        );

        // Admin pages are for admins.
        let agents = s.get_page(&admin, "/console/admin/agents").await;
        assert_eq!(agents.status, StatusCode::OK);
        assert!(agents.text().contains("tam@support.example"));
        assert_eq!(s.get_page(&admin, "/console/admin/plans").await.status, StatusCode::OK);
        assert_eq!(s.get_page(&agent, "/console/admin/agents").await.status, StatusCode::FORBIDDEN);
        assert_eq!(s.get_page(&tam, "/console/admin/plans").await.status, StatusCode::FORBIDDEN);
        let all = s.get_page(&admin, "/console/accounts").await;
        assert!(all.text().contains(OTHER_ACCOUNT));
    }

    async fn the_activity_page_shows_each_reader_their_share_of_the_audit_log(s) {
        let customer = s.visitor(CUSTOMER_EMAIL).await;
        let agent = s.visitor("agent@support.example").await;
        let admin = s.visitor("admin@support.example").await;
        s.post_form(&customer, "/console/cases/new", &case_form(&customer.csrf)).await;
        let id = s.app.queue(
            &s.app.agent_by_email("admin@support.example").await.unwrap(),
            tierdesk_app::queue::QueueFilter::default(),
        ).await.unwrap().0[0].case_id.clone();
        let note = s.post_form(&agent, &format!("/console/queue/{id}/message"), &[
            ("csrf", agent.csrf.as_str()), ("body", "Index rebuild, again."), ("kind", "note"),
        ]).await;
        assert_eq!(note.status, StatusCode::SEE_OTHER, "{}", note.text());
        assert_eq!(s.get_page(&agent, &format!("/console/queue/{id}")).await.status, StatusCode::OK);

        // The customer sees their account's own actions, not the note or its reading.
        let mine = s.get_page(&customer, "/console/activity").await;
        assert_eq!(mine.status, StatusCode::OK, "{}", mine.text());
        let text = mine.text();
        assert!(text.contains("case.create") && text.contains(CUSTOMER_EMAIL), "{text}");
        assert!(text.contains("session.sign-in"), "{text}");
        assert!(!text.contains("case.note") && !text.contains("notes.read"), "{text}");
        assert!(!text.contains(OTHER_ACCOUNT), "{text}");

        // The admin sees everything, and filters by actor.
        let all = s.get_page(&admin, "/console/activity?actor=agent%40support.example").await;
        assert_eq!(all.status, StatusCode::OK);
        let text = all.text();
        assert!(text.contains("case.note") && text.contains("notes.read"), "{text}");
        assert!(!text.contains("case.create"), "{text}");

        // Other staff are refused, in their language.
        assert_eq!(s.get_page(&agent, "/console/activity").await.status, StatusCode::FORBIDDEN);
        let japanese = s
            .send(
                Request::get("/console/activity")
                    .header("cookie", &customer.cookie)
                    .header("accept-language", "ja")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert!(japanese.text().contains("の操作履歴"), "{}", japanese.text());
    }

    async fn failures_are_worded_by_the_error_table_in_the_persons_language(s) {
        let customer = s.visitor(CUSTOMER_EMAIL).await;
        let missing = "/console/cases/case-111122223333-muen-2026-ffffffffffffffff";
        let r = s.get_page(&customer, missing).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert!(r.text().contains("There is no such case in your account."), "{}", r.text());

        let agent = s.visitor("agent@support.example").await;
        let japanese = s
            .send(
                Request::get("/console/queue/case-111122223333-muen-2026-ffffffffffffffff")
                    .header("cookie", &agent.cookie)
                    .header("accept-language", "ja-JP,ja;q=0.9")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(japanese.status, StatusCode::NOT_FOUND);
        assert!(japanese.text().contains("そのケースはありません。"), "{}", japanese.text());
    }

    async fn a_refused_reply_keeps_what_the_engineer_typed(s) {
        let customer = s.visitor(CUSTOMER_EMAIL).await;
        let created = s.post_form(&customer, "/console/cases/new", &case_form(&customer.csrf)).await;
        let case_id = created.header("location").trim_start_matches("/console/cases/").to_string();
        let agent = s.visitor("agent@support.example").await;
        let long = "The index rebuild finished; ".repeat(300);
        let refused = s
            .post_form(
                &agent,
                &format!("/console/queue/{case_id}/message"),
                &[("csrf", agent.csrf.as_str()), ("body", long.as_str()), ("kind", "reply")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST);
        let page = refused.text();
        assert!(page.contains("role=\"alert\""), "{page}");
        assert!(page.contains("8000"), "the reason names the limit");
        assert!(page.contains(long.trim_end()), "the typed reply is kept");
        // A reply within the limit goes through, and nothing of the refused one was kept.
        let ok = s
            .post_form(
                &agent,
                &format!("/console/queue/{case_id}/message"),
                &[("csrf", agent.csrf.as_str()), ("body", "Rebuilding the index."), ("kind", "reply")],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
        let r = s
            .aws(Operation::DescribeCommunications, json!({"caseId": case_id}))
            .await;
        assert_eq!(r.json()["communications"].as_array().unwrap().len(), 2, "{}", r.text());
    }

    async fn a_field_problem_is_worded_with_the_forms_label_and_the_form_keeps_its_text(s) {
        let v = s.visitor(CUSTOMER_EMAIL).await;
        let mut form = case_form(&v.csrf);
        form.push(("cc", "ops@example.com, not-an-address"));
        let r = s.post_form(&v, "/console/cases/new", &form).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let page = r.text();
        assert!(
            page.contains("&#39;not-an-address&#39; in Cc addresses is not an email address.")
                || page.contains("'not-an-address' in Cc addresses is not an email address."),
            "{page}"
        );
        assert!(page.contains("Invoices page shows a blank screen"), "the subject is kept");
        assert!(!page.contains("ccEmailAddresses"), "no AWS member names in the console");
        // The AWS endpoint words the same problem with its member name.
        let r = s
            .aws(
                Operation::CreateCase,
                json!({"subject": "s", "communicationBody": "b", "ccEmailAddresses": ["nope"]}),
            )
            .await;
        assert_eq!(r.json()["__type"], "ValidationException");
        assert_eq!(r.json()["message"], "'nope' in ccEmailAddresses is not an email address");
    }

    async fn a_refused_admin_form_keeps_what_was_typed(s) {
        let admin = s.visitor("admin@support.example").await;
        let r = s
            .post_form(
                &admin,
                "/console/accounts",
                &[
                    ("csrf", admin.csrf.as_str()),
                    ("id", "777788889999"),
                    ("name", "Kept Name KK"),
                    ("plan", "aws.business"),
                    ("timezone", "Mars/Olympus_Mons"),
                    ("country", "JP"),
                    ("language", "ja"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let page = r.text();
        assert!(page.contains("role=\"alert\""), "{page}");
        for kept in ["value=\"777788889999\"", "value=\"Kept Name KK\"", "value=\"Mars/Olympus_Mons\"", "value=\"ja\" selected"] {
            assert!(page.contains(kept), "{kept} not kept");
        }
        let r = s
            .post_form(
                &admin,
                "/console/admin/agents",
                &[
                    ("csrf", admin.csrf.as_str()),
                    ("email", "not-an-email"),
                    ("name", "Kept Agent"),
                    ("role", "tam"),
                    ("languages", "ja, ko"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let page = r.text();
        for kept in ["value=\"Kept Agent\"", "value=\"tam\" selected", "value=\"ja, ko\""] {
            assert!(page.contains(kept), "{kept} not kept: {page}");
        }
        // Each form of an account's page: refused, it comes back as typed with the reason
        // beside it, and the other forms stay empty.
        let account = format!("/console/accounts/{ACCOUNT}");
        for (action, fields, kept, other) in [
            ("user", vec![("email", "not-an-email"), ("name", "Kept User"), ("language", "ko")],
                vec!["value=\"not-an-email\"", "value=\"Kept User\"", "value=\"ko\" selected"], "id=\"principal\" name=\"principal\" type=\"text\" required value=\"\""),
            ("key", vec![("principal", &"p".repeat(300))],
                vec!["value=\"ppp"], "id=\"user-name\" name=\"name\" type=\"text\" required value=\"\""),
            ("plan", vec![("plan", "aws.business_plus"), ("from", "next tuesday")],
                vec!["value=\"next tuesday\"", "value=\"aws.business_plus\" selected"], "id=\"principal\" name=\"principal\" type=\"text\" required value=\"\""),
        ] {
            let mut form = vec![("csrf", admin.csrf.as_str())];
            form.extend(fields.iter().copied());
            let r = s.post_form(&admin, &format!("{account}/{action}"), &form).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{action}: {}", r.text());
            let page = r.text();
            for k in kept {
                assert!(page.contains(k), "{action}: {k} not kept: {page}");
            }
            assert!(page.contains(other), "{action}: another form was filled: {page}");
            // The reason sits inside the form that failed.
            let form_at = page.find(&format!("action=\"{account}/{action}\"")).unwrap();
            let alert_at = page.find("role=\"alert\"").unwrap();
            let form_end = form_at + page[form_at..].find("</form>").unwrap();
            assert!(form_at < alert_at && alert_at < form_end, "{action}: the reason is not beside its form");
        }
    }

    async fn a_bad_list_filter_is_explained_on_the_list_page(s) {
        let v = s.visitor(CUSTOMER_EMAIL).await;
        let r = s.get_page(&v, "/console/cases?status=on-fire").await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let page = r.text();
        assert!(page.contains("role=\"search\"") || page.contains("name=\"q\""), "the list, not an error page: {page}");
        assert!(page.contains("on-fire"), "{page}");
    }
}

both_engines! {
    async fn over_https_cookies_are_host_only_and_browsers_stay_on_https(s) {
        let https = s.configured(|st| st.secure_cookies = true);
        let page = s
            .send_to(
                &https,
                Request::get("/console/sign-in")
                    .header("host", "localhost")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        let set = page.header("set-cookie");
        assert!(set.starts_with("__Host-tierdesk_login_csrf="), "{set}");
        assert!(set.contains("; Secure") && set.contains("Path=/"), "{set}");
        assert_eq!(page.header("strict-transport-security"), "max-age=31536000");
        // The session cookie without the prefix is not this site's over HTTPS.
        let v = s.visitor(CUSTOMER_EMAIL).await;
        let plain = s
            .send_to(
                &https,
                Request::get("/console/cases")
                    .header("host", "localhost")
                    .header("cookie", &v.cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(plain.status, StatusCode::SEE_OTHER);
        let prefixed = s
            .send_to(
                &https,
                Request::get("/console/cases")
                    .header("host", "localhost")
                    .header("cookie", format!("__Host-{}", v.cookie))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(prefixed.status, StatusCode::OK);
        // Plain HTTP: no HSTS, no prefix.
        let page = s.get_page(&v, "/console/cases").await;
        assert_eq!(page.header("strict-transport-security"), "");
    }

    async fn behind_a_proxy_the_origin_check_uses_the_public_url(s) {
        let proxied = s.configured(|st| {
            st.public_origin = Some("https://support.example.com".into())
        });
        let v = s.visitor(CUSTOMER_EMAIL).await;
        let post = |origin: &'static str| {
            Request::post("/console/settings")
                .header("host", "10.0.0.5:8080")
                .header("origin", origin)
                .header("cookie", &v.cookie)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(format!("csrf={}&ui_language=ja", v.csrf)))
                .unwrap()
        };
        let ok = s.send_to(&proxied, post("https://support.example.com")).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
        let refused = s.send_to(&proxied, post("http://10.0.0.5:8080")).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
}

both_engines! {
    async fn no_dead_ends_the_root_a_missing_page_and_the_icon(s) {
        // A browser at the root is sent to the console; AWS clients still POST there.
        let root = s.send(Request::get("/").body(Body::empty()).unwrap()).await;
        assert_eq!(root.status, StatusCode::SEE_OTHER);
        assert_eq!(root.header("location"), "/console");

        let missing = s
            .send(
                Request::get("/console/no-such-thing")
                    .header("accept-language", "ja")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert!(missing.text().contains("ページがありません"), "{}", missing.text());
        assert!(missing.text().contains("href=\"/console\""), "a way back");
        assert!(!missing.header("content-security-policy").is_empty());
        let elsewhere = s.send(Request::get("/wp-login.php").body(Body::empty()).unwrap()).await;
        assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
        assert!(elsewhere.text().contains("No such page"));
        let api = s.send(Request::get("/api/v1/nothing").body(Body::empty()).unwrap()).await;
        assert_eq!(api.status, StatusCode::NOT_FOUND);
        assert_eq!(api.json()["error"]["code"], "not_found");

        let icon = s.send(Request::get("/favicon.ico").body(Body::empty()).unwrap()).await;
        assert_eq!(icon.status, StatusCode::PERMANENT_REDIRECT);
        let svg = s.send(Request::get(icon.header("location")).body(Body::empty()).unwrap()).await;
        assert_eq!(svg.status, StatusCode::OK);
        assert_eq!(svg.header("content-type"), "image/svg+xml");
    }

    async fn the_navigation_marks_the_page_and_offers_only_what_the_role_may_open(s) {
        let customer = s.visitor(CUSTOMER_EMAIL).await;
        let agent = s.visitor("agent@support.example").await;
        let cases = s.get_page(&customer, "/console/cases").await.text();
        assert!(cases.contains("<a href=\"/console/cases\" aria-current=\"page\">"), "{cases}");
        assert!(!cases.contains("<a href=\"/console\" aria-current"), "{cases}");
        assert!(cases.contains("href=\"/console/invoices\""));
        let queue = s.get_page(&agent, "/console/queue").await.text();
        assert!(queue.contains("<a href=\"/console/queue\" aria-current=\"page\">"), "{queue}");
        // An engineer's Invoices and Activity pages answer 403: they are not offered.
        assert!(!queue.contains("href=\"/console/invoices\""), "{queue}");
        assert!(!queue.contains("href=\"/console/activity\""), "{queue}");
    }
}

both_engines! {
    async fn the_engineers_pages_show_names_and_selects_start_where_the_case_is(s) {
        let customer = s.visitor(CUSTOMER_EMAIL).await;
        let agent = s.visitor("agent@support.example").await;
        s.post_form(&customer, "/console/cases/new", &case_form(&customer.csrf)).await;
        let queue = s.get_page(&agent, "/console/queue").await.text();
        let id = queue
            .split("/console/queue/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_string();
        // The customer awaits an answer: the queue says so, and filters on it.
        assert!(queue.contains("class=\"awaiting\""), "{queue}");
        let waiting = s.get_page(&agent, "/console/queue?awaiting=true").await.text();
        assert!(waiting.contains(&id) && waiting.contains("name=\"awaiting\" value=\"true\" checked"), "{waiting}");
        let page = s.get_page(&agent, &format!("/console/queue/{id}")).await.text();
        assert!(page.contains("The customer has waited"), "{page}");
        // Nothing is chosen for the engineer: the status shown is the case's, the
        // assignee is to be chosen.
        assert!(page.contains("<option value=\"\" selected disabled>Opened</option>"), "{page}");
        assert!(page.contains("<option value=\"\" selected disabled>choose an agent</option>"), "{page}");
        let r = s.post_form(&agent, &format!("/console/queue/{id}/assign"),
            &[("csrf", agent.csrf.as_str()), ("assignee", "me")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = s.post_form(&agent, &format!("/console/queue/{id}/status"),
            &[("csrf", agent.csrf.as_str()), ("status", "work-in-progress")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = s.get_page(&agent, &format!("/console/queue/{id}")).await.text();
        assert!(page.contains("<option value=\"work-in-progress\" selected>"), "{page}");
        assert!(!page.contains("choose an agent"), "{page}");
        // The conversation carries the case's trail: who changed what, in time order.
        // Worded for people: statuses by their names, the assignee by name, not id.
        assert!(page.contains("agent@support.example changed the status (from Opened to Work in progress)"), "{page}");
        let me = s.app.agent_by_email("agent@support.example").await.unwrap();
        assert!(page.contains(&format!("agent@support.example assigned the case (to {})", me.name)), "{page}");
        let assigned = page.find("assigned the case").unwrap();
        let status = page.find("changed the status").unwrap();
        assert!(assigned < status, "the trail is in time order: {page}");
        // The queue names the assignee and the plan, not their ids.
        let queue = s.get_page(&agent, "/console/queue").await.text();
        assert!(queue.contains(&format!("\">{}</td>", me.name)), "{queue}");
        assert!(!queue.contains(&me.id), "{queue}");
        // Asked for action, the customer sees that support waits for them.
        let mine = s.get_page(&customer, &format!("/console/cases/{id}")).await.text();
        assert!(!mine.contains("Support is waiting for your reply."), "{mine}");
        s.post_form(&agent, &format!("/console/queue/{id}/status"),
            &[("csrf", agent.csrf.as_str()), ("status", "pending-customer-action")]).await;
        let mine = s.get_page(&customer, &format!("/console/cases/{id}")).await.text();
        assert!(mine.contains("Support is waiting for your reply."), "{mine}");
    }
}

both_engines! {
    async fn a_form_that_makes_a_secret_redirects_and_the_secret_is_shown_once(s) {
        let admin = s.visitor("admin@support.example").await;
        let keys_before = s.app.account_view(ACCOUNT).await.unwrap().keys.len();
        let made = s.post_form(&admin, &format!("/console/accounts/{ACCOUNT}/key"),
            &[("csrf", admin.csrf.as_str()), ("principal", "ci-bot")]).await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
        let to = made.header("location").to_string();
        assert!(to.starts_with(&format!("/console/accounts/{ACCOUNT}?shown=so_")), "{to}");
        // The secret is not in the redirect; the page it leads to shows it once.
        assert!(!made.text().contains("Secret access key"));
        let page = s.get_page(&admin, &to).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("Secret access key of TD"), "{}", page.text());
        // Reloading shows the account without the secret and makes no second key.
        let again = s.get_page(&admin, &to).await;
        assert_eq!(again.status, StatusCode::OK);
        assert!(!again.text().contains("Secret access key of"), "{}", again.text());
        assert_eq!(s.app.account_view(ACCOUNT).await.unwrap().keys.len(), keys_before + 1);

        // Another admin cannot read what this one was shown.
        let made = s.post_form(&admin, "/console/admin/agents/access",
            &[("csrf", admin.csrf.as_str()), ("email", "agent@support.example"), ("action", "rotate-token")]).await;
        assert_eq!(made.status, StatusCode::SEE_OTHER);
        let to = made.header("location").to_string();
        assert!(to.starts_with("/console/admin/agents?shown=so_"), "{to}");
        s.app.create_agent(&tierdesk_testkit::operator(), tierdesk_app::agents::NewAgent {
            email: "second-admin@support.example".into(),
            name: "Second".into(),
            role: "admin".into(),
            ..Default::default()
        }).await.unwrap();
        let other = s.visitor("second-admin@support.example").await;
        assert!(!s.get_page(&other, &to).await.text().contains("API token of"));
        assert!(s.get_page(&admin, &to).await.text().contains("API token of agent@support.example"));
    }
}

both_engines! {
    async fn the_new_case_form_asks_the_impact_and_says_when_the_clock_runs(s) {
        // A business-hours plan: the form says which hours count and when a case opened
        // now would be due (Monday 04:00 in New York; 12 business hours from 08:00).
        s.app.set_plan(&tierdesk_testkit::operator(), ACCOUNT, "aws.developer", None, true)
            .await
            .unwrap();
        let customer = s.visitor(CUSTOMER_EMAIL).await;
        let page = s.get_page(&customer, "/console/cases/new").await.text();
        assert!(page.contains("How is your business affected?"), "{page}");
        assert!(page.contains("<strong>General guidance</strong>: You have a general development question"), "{page}");
        assert!(page.contains(
            "First response within 12 h, counted Monday to Friday 08:00–18:00 New York time (America/New_York), \
             except public holidays. Opened now, it is due Tue 2026-11-24 10:00 EST."
        ), "{page}");
        assert!(!page.contains("aws.developer.business_hours"), "a raw clock id: {page}");
        assert!(!page.contains(" checked>"), "nothing is chosen for the customer: {page}");
        // Sent without an impact, the form comes back as typed, with the reason.
        let r = s.post_form(&customer, "/console/cases/new", &[
            ("csrf", customer.csrf.as_str()),
            ("subject", "Which instance type?"),
            ("body", "Choosing between m7g and c7g for a queue worker."),
            ("issue_type", "technical"),
        ]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let page = r.text();
        assert!(page.contains("role=\"alert\""), "{page}");
        assert!(page.contains("Which instance type?") && page.contains("m7g and c7g"), "{page}");
        // The assistant's advice names its field; an outage filed low is flagged (on a
        // plan with higher severities to choose: Developer has two only).
        s.app.set_plan(&tierdesk_testkit::operator(), ACCOUNT, "aws.business", None, true)
            .await
            .unwrap();
        let r = s.post_form(&customer, "/console/assistant", &[
            ("csrf", customer.csrf.as_str()),
            ("subject", "Production down"),
            ("body", "Since 03:00"),
            ("severity", "low"),
        ]).await;
        let hints = r.json();
        let first = &hints["hints"][0];
        assert_eq!((first["code"].as_str(), first["field"].as_str()), (Some("severity-low"), Some("severity")), "{hints}");
    }
}

/// The words a page shows a person: its text and the attributes people read, without
/// markup, scripts or styles.
fn visible_words(html: &str) -> String {
    let mut out = html.to_string();
    // Scripts and styles are not read.
    for tag in ["script", "style"] {
        let mut kept = String::new();
        let mut r = out.as_str();
        while let Some(i) = r.find(&format!("<{tag}")) {
            kept.push_str(&r[..i]);
            r = r[i..]
                .find(&format!("</{tag}>"))
                .map_or("", |j| &r[i + j..]);
        }
        kept.push_str(r);
        out = kept;
    }
    // What a page marks as English (the audit log's details as recorded) is not a word
    // left untranslated.
    let mut kept = String::new();
    let mut r = out.as_str();
    while let Some(i) = r.find(" lang=\"en\">") {
        kept.push_str(&r[..i]);
        r = r[i..].find("</").map_or("", |j| &r[i + j..]);
    }
    kept.push_str(r);
    out = kept;
    let mut text = String::new();
    let mut in_tag = false;
    let mut tag = String::new();
    for ch in out.chars() {
        match ch {
            '<' => {
                in_tag = true;
                tag.clear();
            }
            '>' if in_tag => {
                in_tag = false;
                for attr in [
                    "title=\"",
                    "placeholder=\"",
                    "aria-label=\"",
                    "data-confirm=\"",
                    "data-confirm-resolve=\"",
                    "data-label=\"",
                ] {
                    if let Some(i) = tag.find(attr) {
                        let v = &tag[i + attr.len()..];
                        text.push_str(&v[..v.find('"').unwrap_or(v.len())]);
                        text.push('\n');
                    }
                }
                text.push('\n');
            }
            c if in_tag => tag.push(c),
            c => text.push(c),
        }
    }
    text
}

/// English words left on a Japanese page: runs of three or more Latin letters, less the
/// names that read the same in Japanese (products, codes, people, addresses, zones).
fn english_left(html: &str, allowed: &[&str]) -> Vec<String> {
    let text = visible_words(html);
    let mut left = Vec::new();
    for token in text.split(|c: char| c.is_whitespace() || "、。，（）()「」:：·|,;".contains(c))
    {
        // Addresses, zones, paths, ids (a plan's `aws.basic`, a case's), amounts and times
        // are data, not words.
        let id = token.contains(['@', '_', '/']) || token.trim_end_matches('.').contains('.');
        if id || token.contains('-') && token.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        let word: String = token.chars().filter(char::is_ascii_alphabetic).collect();
        if word.len() < 3
            || word.chars().all(|c| c.is_ascii_uppercase())
            || allowed.contains(&word.as_str())
        {
            continue;
        }
        if !left.contains(&token.to_string()) {
            left.push(token.to_string());
        }
    }
    left
}

both_engines! {
    async fn a_japanese_interface_shows_no_english(s) {
        let customer = s.visitor(CUSTOMER_EMAIL).await;
        let agent = s.visitor("agent@support.example").await;
        let admin = s.visitor("admin@support.example").await;
        for v in [&customer, &agent, &admin] {
            let r = s.post_form(v, "/console/settings", &[("csrf", v.csrf.as_str()), ("ui_language", "ja")]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        }
        let created = s.post_form(&customer, "/console/cases/new", &[
            ("csrf", customer.csrf.as_str()),
            ("subject", "請求書のページが表示されない"),
            ("service", "billing|charges"),
            ("severity", "high"),
            ("language", "ja"),
            ("body", "月次の請求書を開くと画面が真っ白になります。"),
        ]).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
        let case = created.header("location").to_string();
        let id = case.rsplit('/').next().unwrap().to_string();
        let r = s.post_form(&agent, &format!("/console/queue/{id}/status"),
            &[("csrf", agent.csrf.as_str()), ("status", "work-in-progress")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = s.post_form(&agent, &format!("/console/queue/{id}/assign"),
            &[("csrf", agent.csrf.as_str()), ("assignee", "me")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // Names that read the same in Japanese: brands, the AWS products cases are filed
        // under, the test's people and account; the advisor's need words are its syntax.
        let services = tierdesk_core::services::Services::builtin();
        let products: Vec<String> = services
            .services
            .iter()
            .filter(|x| services.name_in(&x.name, "ja") == x.name)
            .flat_map(|x| x.name.split(|c: char| !c.is_ascii_alphabetic()).map(String::from).collect::<Vec<_>>())
            .collect();
        let mut allowed = vec!["Tierdesk", "Slack", "DingTalk", "OnRamp", "Priority", "Trusted", "Advisor", "Health", "Alibaba", "Cloud", "Web",
            "The", "agent", "admin", "Account", "Ops", "http", "tests", "test", "English", "critical", "api", "tam", "phone", "chat", "email", "web", "language"];
        allowed.extend(products.iter().map(String::as_str));
        let pages: Vec<(&crate::support::Visitor, String)> = vec![
            (&customer, "/console".into()),
            (&customer, "/console/plan".into()),
            (&customer, "/console/cases".into()),
            (&customer, "/console/cases/new".into()),
            (&customer, case.clone()),
            (&customer, "/console/advisor?usage=20000&needs=critical:30m+24x7+api+tam+phone+language:ko&legacy=1".into()),
            (&customer, "/console/invoices".into()),
            (&agent, "/console/queue".into()),
            (&agent, format!("/console/queue/{id}")),
            (&agent, "/console/search?q=請求書".into()),
            (&agent, "/console/sla".into()),
            (&admin, "/console/accounts".into()),
            (&admin, format!("/console/accounts/{ACCOUNT}")),
            (&admin, "/console/admin/agents".into()),
            (&admin, "/console/admin/plans".into()),
            (&admin, "/console/activity".into()),
            (&customer, "/console/activity".into()),
            (&admin, "/console/sla?by=agent".into()),
        ];
        // An invoice: a partial first month on Enterprise, prorated, at its minimum.
        let usage = tierdesk_core::usage::read(
            tierdesk_core::usage::Format::Generic,
            format!("account_id,month,amount,currency\n{ACCOUNT},2026-11,20000,USD\n").as_bytes(),
            "USD",
            |_| {},
        )
        .unwrap();
        s.app.import_usage(&tierdesk_testkit::operator(), usage, "test").await.unwrap();
        s.app.bill_run(&tierdesk_testkit::operator(), "2026-11").await.unwrap();
        let mut leaks = Vec::new();
        // Refusals are worded too: a bad cc address, a subject that is too long.
        let long = "長".repeat(1025);
        for (form, field) in [
            (vec![("cc", "宛先なし")], "cc"),
            (vec![("subject", long.as_str())], "subject"),
        ] {
            let mut fields = vec![
                ("csrf", customer.csrf.as_str()),
                ("subject", "件名"),
                ("service", "billing|charges"),
                ("severity", "high"),
                ("body", "本文"),
            ];
            fields.retain(|(k, _)| !form.iter().any(|(f, _)| f == k));
            fields.extend(form);
            let refused = s.post_form(&customer, "/console/cases/new", &fields).await;
            assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{field}: {}", refused.text());
            let left = english_left(&refused.text(), &allowed);
            if !left.is_empty() {
                leaks.push(format!("refused {field}: {left:?}"));
            }
        }
        for (v, path) in pages {
            let page = s.get_page(v, &path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.text());
            let left = english_left(&page.text(), &allowed);
            if !left.is_empty() {
                leaks.push(format!("{path}: {left:?}"));
            }
        }
        let invoices = s.get_page(&customer, "/console/invoices").await.text();
        assert!(invoices.contains("日割り: 30 日中 8 日"), "{invoices}");
        assert!(leaks.is_empty(), "English on Japanese pages:\n{}", leaks.join("\n"));
    }
}
