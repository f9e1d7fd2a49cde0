//! AWS Health in process: the operator API (admins publish, revise and set entities; the
//! answers as openapi.json documents them), the Health API answering the same in JSON
//! 1.1 and in RPC v2 CBOR with each protocol's errors, and the public status feeds.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{Value, json};
use tierdesk_server::api::contract::assert_documented;

use crate::support::{ACCOUNT, OTHER_ACCOUNT, both_engines};

fn doc() -> Value {
    serde_json::from_str(tierdesk_server::api::OPENAPI).unwrap()
}

fn encoded(arn: &str) -> String {
    arn.replace(':', "%3A").replace('/', "%2F")
}

both_engines! {
    async fn the_operator_api_publishes_revises_and_lists(s) {
        let doc = doc();
        let new = json!({
            "service": "EC2", "eventTypeCode": "AWS_EC2_PERSISTENT_INSTANCE_RETIREMENT_SCHEDULED",
            "eventTypeCategory": "scheduledChange", "region": "us-east-1",
            "entities": [{"accountId": ACCOUNT, "entityValue": "i-0abc"}],
            "description": "Retirement", "startTime": "2026-12-01T00:00:00Z"
        });
        // Admins publish; agents and TAMs may not.
        for role in ["agent", "tam"] {
            let r = s.api(role, "POST", "/api/v1/health/events", Some(new.clone())).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role}: {}", r.text());
        }
        let r = s.api("admin", "POST", "/api/v1/health/events", Some(new.clone())).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let made = r.json();
        assert_documented(&doc, "post", "/api/v1/health/events", 201, &made);
        assert_eq!(made["statusCode"], "upcoming");
        assert_eq!(made["eventScopeCode"], "ACCOUNT_SPECIFIC");
        assert_eq!(made["title"], "Instance retirement scheduled");
        let arn = made["arn"].as_str().unwrap().to_string();
        let bad = s.api("admin", "POST", "/api/v1/health/events", Some(json!({"service": "EC2"}))).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        let bad = s.api("admin", "POST", "/api/v1/health/events", Some(json!({
            "service": "EC2", "eventTypeCode": "AWS_EC2_OPERATIONAL_ISSUE", "eventTypeCategory": "issue",
            "region": "us east", "description": "x"}))).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text());
        assert!(bad.text().contains("region"), "{}", bad.text());

        let path = format!("/api/v1/health/events/{}", encoded(&arn));
        let r = s.api("admin", "PATCH", &path, Some(json!({"description": "Moved to December 2"}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_documented(&doc, "patch", "/api/v1/health/events/{eventArn}", 200, &r.json());
        let r = s.api("admin", "POST", &format!("{path}/entities"), Some(json!({"entities": [
            {"accountId": ACCOUNT, "entityValue": "i-0abc", "statusCode": "RESOLVED"},
            {"accountId": OTHER_ACCOUNT, "entityValue": "i-0def", "tags": {"team": "web"}}]}))).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let bad_tag = s.api("admin", "POST", &format!("{path}/entities"), Some(json!({"entities": [
            {"accountId": ACCOUNT, "entityValue": "i-0abc", "tags": {"team": "a;b"}}]}))).await;
        assert_eq!(bad_tag.status, StatusCode::BAD_REQUEST, "{}", bad_tag.text());
        assert!(bad_tag.text().contains("team=a;b"), "{}", bad_tag.text());
        assert_documented(&doc, "post", "/api/v1/health/events/{eventArn}/entities", 200, &r.json());
        assert_eq!(r.json()["written"], 2);
        let csv = Request::post(format!("{path}/entities"))
            .header("authorization", format!("Bearer {}", s.token("admin")))
            .header("content-type", "text/csv")
            .body(Body::from(format!("account_id,entity_value,status\n{ACCOUNT},i-0ghi,PENDING\n")))
            .unwrap();
        let r = s.send(csv).await;
        assert_eq!(r.json()["written"], 1, "{}", r.text());
        let bad_csv = Request::post(format!("{path}/entities"))
            .header("authorization", format!("Bearer {}", s.token("admin")))
            .header("content-type", "text/csv")
            .body(Body::from(format!("{ACCOUNT},i-1,WRONG\n")))
            .unwrap();
        let r = s.send(bad_csv).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text().contains("line 1"), "{}", r.text());

        let r = s.api("admin", "GET", &path, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let d = r.json();
        assert_documented(&doc, "get", "/api/v1/health/events/{eventArn}", 200, &d);
        assert_eq!(d["descriptions"].as_array().unwrap().len(), 2);
        assert_eq!(d["descriptions"][1]["description"], "Moved to December 2");
        assert_eq!(d["accounts"], json!([ACCOUNT, OTHER_ACCOUNT]));
        assert_eq!(d["entityCounts"], json!({"IMPAIRED": 1, "PENDING": 1, "RESOLVED": 1}));

        let r = s.api("admin", "PATCH", &path, Some(json!({"statusCode": "closed"}))).await;
        assert_eq!(r.json()["statusCode"], "closed");
        assert!(r.json()["endTime"].is_string());
        let r = s.api("agent", "PATCH", &path, Some(json!({"statusCode": "open"}))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = s.api("admin", "PATCH", "/api/v1/health/events/arn%3Aaws%3Ahealth%3Ax%3A%3Aevent%2FA%2FB%2FC", Some(json!({"statusCode": "open"}))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());

        let r = s.api("agent", "GET", "/api/v1/health/events?status=closed", None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let page = r.json();
        assert_documented(&doc, "get", "/api/v1/health/events", 200, &page);
        assert_eq!(page["events"][0]["arn"], arn.as_str());
        let r = s.api("agent", "GET", "/api/v1/health/events?status=shut", None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = s.api("agent", "GET", "/api/v1/health/events?stauts=closed", None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
}

both_engines! {
    async fn health_answers_alike_in_json_and_cbor(s) {
        let who = tierdesk_testkit::operator();
        for i in 0..3 {
            s.app.publish_health_event(&who, tierdesk_app::health::Publish {
                service: "EC2".into(),
                type_code: "AWS_EC2_OPERATIONAL_ISSUE".into(),
                category: "issue".into(),
                region: "us-east-1".into(),
                accounts: if i == 2 { vec![ACCOUNT.into()] } else { vec![] },
                entities: if i == 2 { vec![tierdesk_app::health::EntityInput::impaired(ACCOUNT, "i-1")] } else { vec![] },
                description: format!("Event {i}"),
                start: Some(format!("2026-11-0{}T00:00:00Z", i + 1).parse().unwrap()),
                ..Default::default()
            }).await.unwrap();
        }
        let input = json!({"filter": {"services": ["EC2"], "startTimes": [{"from": 1_700_000_000.0}]}, "maxResults": 2});
        let j = s.health(false, "DescribeEvents", input.clone()).await;
        let c = s.health(true, "DescribeEvents", input.clone()).await;
        assert_eq!(j.status, StatusCode::OK, "{}", j.text());
        assert_eq!(c.status, StatusCode::OK, "{}", c.text());
        // The same page in both protocols (tokens aside: each is bound to its own call).
        let (mut jv, mut cv) = (j.json(), c.json());
        assert_eq!(jv["events"].as_array().unwrap().len(), 2);
        assert!(jv["nextToken"].is_string() && cv["nextToken"].is_string());
        jv.as_object_mut().unwrap().remove("nextToken");
        cv.as_object_mut().unwrap().remove("nextToken");
        assert_eq!(jv, cv);
        assert!(jv["events"][0]["startTime"].is_f64());

        // Each protocol's errors.
        for cbor in [false, true] {
            let r = s.health(cbor, "DescribeEvents", json!({"nextToken": "bm90IG91cnM"})).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST);
            assert_eq!(r.json()["__type"], "InvalidPaginationToken", "{}", r.text());
            let r = s.health(cbor, "DescribeEvents", json!({"filter": {"eventStatusCodes": ["OPEN"]}})).await;
            assert_eq!(r.json()["__type"], "ValidationException");
            let r = s.health(cbor, "DescribeEvents", json!({"locale": "fr"})).await;
            assert_eq!(r.json()["__type"], "UnsupportedLocale");
            let r = s.health(cbor, "DeleteEvent", json!({})).await;
            assert_eq!(r.json()["__type"], "UnknownOperationException");
            let r = s.health(cbor, "DescribeEvents", json!({"filter": {"servicez": ["EC2"]}})).await;
            assert_eq!(r.json()["__type"], "SerializationException", "{}", r.text());
        }
        let details = s.health(true, "DescribeEventDetails", json!({"eventArns": ["arn:aws:health:us-east-1::event/EC2/X/X_1"]})).await.json();
        assert_eq!(details["successfulSet"], json!([]));
        assert_eq!(details["failedSet"][0]["errorName"], "UnsupportedOperation");
    }
}

both_engines! {
    async fn the_public_feeds_answer_without_sign_in(s) {
        let who = tierdesk_testkit::operator();
        s.app.publish_health_event(&who, tierdesk_app::health::Publish {
            service: "SES".into(),
            type_code: "AWS_SES_OPERATIONAL_ISSUE".into(),
            category: "issue".into(),
            region: "eu-west-1".into(),
            title: Some("Sending delays".into()),
            description: "Delays".into(),
            ..Default::default()
        }).await.unwrap();
        for (path, kind) in [
            ("/status", "text/html"),
            ("/status/feed.atom", "application/atom+xml"),
            ("/status/rss/all.rss", "application/rss+xml"),
            ("/status/rss/ses-eu-west-1.rss", "application/rss+xml"),
        ] {
            let r = s.send(Request::get(path).body(Body::empty()).unwrap()).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(r.header("content-type").starts_with(kind), "{path}");
            assert!(r.text().contains("Sending delays"), "{path}: {}", r.text());
        }
        let r = s.send(Request::get("/status/rss/ses-eu-west-1.xml").body(Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}

both_engines! {
    async fn the_console_shows_health_and_opens_a_case_about_an_event(s) {
        use crate::support::CUSTOMER_EMAIL;
        let admin = s.visitor("admin@support.example").await;
        // Admins publish from the console; the type decides the service and category.
        let r = s.post_form(&admin, "/console/health/events", &[("csrf", &admin.csrf),
            ("event_type", "AWS_EC2_INSTANCE_REBOOT_MAINTENANCE_SCHEDULED"),
            ("region", "us-east-1"),
            ("entities", &format!("{ACCOUNT}:i-0abc\n{ACCOUNT}:i-0def")),
            ("title", "Reboots for host maintenance"),
            ("description", "Two instances reboot on December 3."),
            ("start", "2026-12-03T02:00"),
        ]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let at = r.header("location").to_string();
        assert!(at.starts_with("/console/health/event?arn=arn%3Aaws%3Ahealth%3Aus-east-1"), "{at}");
        let page = s.get_page(&admin, &at).await.text();
        assert!(page.contains("IMPAIRED: 2"), "{page}");
        let arn = s.app.health_events_page(None, Default::default(), None, 1).await.unwrap().0[0].arn.clone();
        let r = s.post_form(&admin, "/console/health/event/update", &[("csrf", &admin.csrf), ("arn", &arn), ("description", "Moved to 03:00 UTC.")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = s.post_form(&admin, "/console/health/event/entities", &[("csrf", &admin.csrf), ("arn", &arn), ("lines", &format!("{ACCOUNT},i-0abc,RESOLVED,team=web;env=prod"))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = s.post_form(&admin, "/console/health/event/entities", &[("csrf", &admin.csrf), ("arn", &arn), ("lines", &format!("{ACCOUNT},i-1,BROKEN"))]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert!(r.text().contains("BROKEN"));
        // Agents read, and are refused publishing.
        let agent = s.visitor("agent@support.example").await;
        let list = s.get_page(&agent, "/console/health/events").await.text();
        assert!(list.contains("Reboots for host maintenance") && !list.contains("id=\"publish\""));
        let r = s.post_form(&agent, "/console/health/events", &[("csrf", &agent.csrf), ("event_type", "AWS_EC2_OPERATIONAL_ISSUE"), ("region", "us-east-1"), ("description", "x")]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert!(r.text().contains("may not publish"), "{}", r.text());

        // The customer's dashboard: what affects them first, with their resources and the
        // description's history.
        let customer = s.visitor(CUSTOMER_EMAIL).await;
        let page = s.get_page(&customer, "/console/health").await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        let affecting = &html[html.find("id=\"affecting\"").unwrap()..html.find("id=\"service\"").unwrap()];
        assert!(affecting.contains("Reboots for host maintenance"), "{html}");
        assert!(affecting.contains("i-0abc") && affecting.contains("RESOLVED") && affecting.contains("i-0def"));
        assert!(affecting.contains("env=prod, team=web"), "{affecting}");
        assert!(affecting.find("Moved to 03:00 UTC.").unwrap() < affecting.find("Two instances reboot").unwrap());

        // A case about the event, linked to it and shown on it for agents.
        let form = s.get_page(&customer, &format!("/console/cases/new?event={}", encoded(&arn))).await.text();
        assert!(form.contains("name=\"health_event\""), "{form}");
        assert!(form.contains("About: Reboots for host maintenance"));
        let severity = s.app.catalog.plan("aws.enterprise_2025").unwrap().case_severities()[0].code.clone();
        let r = s.post_form(&customer, "/console/cases/new", &[("csrf", &customer.csrf),
            ("severity", &severity), ("subject", "The reboot breaks my deploy"),
            ("body", "Our deploy runs at 03:00 UTC."), ("health_event", &arn),
        ]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let case_url = r.header("location").to_string();
        let mine = s.get_page(&customer, &case_url).await.text();
        assert!(mine.contains("id=\"health-event\"") && mine.contains("Reboots for host maintenance"));
        let case_id = case_url.rsplit('/').next().unwrap();
        let staff_view = s.get_page(&agent, &format!("/console/queue/{case_id}")).await.text();
        assert!(staff_view.contains("id=\"health-event\""), "{staff_view}");
        // An event the account does not see cannot be named.
        let r = s.post_form(&customer, "/console/cases/new", &[("csrf", &customer.csrf),
            ("severity", &severity), ("subject", "x"), ("body", "y"),
            ("health_event", "arn:aws:health:us-east-1::event/EC2/X/X_1"),
        ]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
    }
}
