//! The SLA dashboard: labelled charts, lines per plan and severity that drill down to
//! accounts and engineers, response and resolution times, CSV; TAMs see their accounts.

use std::time::Duration;

use axum::http::StatusCode;
use tierdesk_core::clock::Clock;

use crate::support::{ACCOUNT, CUSTOMER_EMAIL, OTHER_ACCOUNT, both_engines};

/// The lines of the dashboard's table.
fn rows(page: &str) -> Vec<String> {
    let table = page.split("id=\"attainment\"").nth(1).unwrap_or_default();
    let body = table.split("</tbody>").next().unwrap_or_default();
    body.split("<tr>").skip(2).map(String::from).collect()
}

both_engines! {
    async fn the_dashboard_drills_down_and_exports_what_it_shows(s) {
        let customer = s.visitor(CUSTOMER_EMAIL).await;
        let agent = s.visitor("agent@support.example").await;
        let admin = s.visitor("admin@support.example").await;
        let mut ids = Vec::new();
        for subject in ["Replication lag", "Console timeouts"] {
            let r = s.post_form(&customer, "/console/cases/new", &[
                ("csrf", customer.csrf.as_str()), ("subject", subject), ("service", "billing|charges"),
                ("severity", "high"), ("body", "Since this morning."),
            ]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
            ids.push(r.header("location").rsplit('/').next().unwrap().to_string());
        }
        // One answered in 30 minutes and resolved two hours after opening; one waits.
        s.clock.set(s.clock.now() + Duration::from_secs(30 * 60));
        let answered = &ids[0];
        for (action, fields) in [
            ("assign", vec![("assignee", "me")]),
            ("message", vec![("body", "Looking at it."), ("kind", "reply")]),
        ] {
            let mut form = vec![("csrf", agent.csrf.as_str())];
            form.extend(fields);
            let r = s.post_form(&agent, &format!("/console/queue/{answered}/{action}"), &form).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{action}: {}", r.text());
        }
        s.clock.set(s.clock.now() + Duration::from_secs(90 * 60));
        let r = s.post_form(&agent, &format!("/console/queue/{answered}/status"),
            &[("csrf", agent.csrf.as_str()), ("status", "resolved")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);

        let page = s.get_page(&admin, "/console/sla").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text());
        let page = page.text();
        // Both charts label their axes, and the week's bar carries its value.
        for want in ["id=\"attainment-chart\"", "id=\"backlog-chart\"", ">0%<", ">50%<", ">100%<", "Open cases at the end of each week"] {
            assert!(page.contains(want), "{want}: {page}");
        }
        // Two cases, one answered within its 4 hours, nothing breached yet; the open one
        // is the backlog of this week. Times read as people write them.
        let row = rows(&page).into_iter().find(|r| r.contains("Production system impaired")).unwrap();
        for want in ["Enterprise Support", ">2<", "100% (1 of 1)", "30 min / 30 min", "2 h / 2 h"] {
            assert!(row.contains(want), "{want}: {row}");
        }
        assert!(page.contains(">1</text>"), "the backlog chart shows one open case: {page}");

        // A plan's line opens its accounts; an account's line opens its engineers.
        let drill = "/console/sla?plan=aws.enterprise_2025&#38;severity=high&#38;by=account&#38;weeks=8";
        assert!(row.contains(drill), "{row}");
        let accounts = s.get_page(&admin, &drill.replace("&#38;", "&")).await.text();
        let row = rows(&accounts).into_iter().find(|r| r.contains(ACCOUNT)).unwrap();
        assert!(row.contains(&format!("account={ACCOUNT}&#38;by=agent")), "{row}");
        let engineers = s.get_page(&admin, &format!("/console/sla?account={ACCOUNT}&by=agent")).await.text();
        let me = s.app.agent_by_email("agent@support.example").await.unwrap();
        assert!(engineers.contains(&me.name) && engineers.contains("Unassigned"), "{engineers}");
        assert!(!engineers.contains(OTHER_ACCOUNT));

        // The CSV holds the same lines, named for people.
        let csv = s.get_page(&admin, "/console/sla.csv?by=plan&weeks=4").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.header("content-type").starts_with("text/csv"));
        assert!(csv.header("content-disposition").contains("sla-plan-4-weeks.csv"));
        let text = csv.text();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("plan,severity,cases,answered,within_target,breaches,undecided,within_target_share,median_clock_seconds,p90_clock_seconds,median_business_seconds,p90_business_seconds,resolved,median_resolution_seconds,p90_resolution_seconds")
        );
        assert_eq!(
            lines.next(),
            Some("Enterprise Support,Production system impaired,2,1,1,0,1,1.0000,1800,1800,1800,1800,1,7200,7200")
        );

        // A TAM sees their own accounts only.
        let tam = s.visitor("tam@support.example").await;
        let mine = s.get_page(&tam, "/console/sla").await;
        assert_eq!(mine.status, StatusCode::OK);
        assert!(mine.text().contains(&format!("<option value=\"{ACCOUNT}\" selected>")), "{}", mine.text());
        let theirs = s.get_page(&tam, &format!("/console/sla?account={OTHER_ACCOUNT}")).await;
        assert_eq!(theirs.status, StatusCode::FORBIDDEN);
        let theirs = s.get_page(&tam, &format!("/console/sla.csv?account={OTHER_ACCOUNT}")).await;
        assert_eq!(theirs.status, StatusCode::FORBIDDEN);
    }
}
