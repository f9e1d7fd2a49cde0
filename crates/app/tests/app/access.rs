//! Who may do what among staff, and access that can be taken away: TAMs reach the accounts
//! they manage, engineers every account unless limited, admins all; disabled people,
//! revoked and expired tokens stop at once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use tierdesk_app::actor::agent_who;
use tierdesk_app::actor::{Actor, Reach};
use tierdesk_app::agents::{CreatedAgent, NewAgent};
use tierdesk_app::cases::{CreateCase, Message};
use tierdesk_app::error::Refusal;
use tierdesk_app::queue::QueueFilter;
use tierdesk_app::{App, ServiceError};
use tierdesk_core::audit::ActorKind;
use tierdesk_core::clock::{Clock, ManualClock};
use tierdesk_core::records::Case;
use tierdesk_testkit::{ScratchDb, api_caller, app_on};

const ACME: &str = "100000000001";
const GLOBEX: &str = "100000000002";

struct Staff {
    app: App,
    clock: Arc<ManualClock>,
    engineer: CreatedAgent,
    tam: CreatedAgent,
    admin: CreatedAgent,
    acme_case: Case,
    globex_case: Case,
    _db: ScratchDb,
}

async fn staff() -> Staff {
    let db = ScratchDb::sqlite("access");
    let clock = Arc::new(ManualClock::new("2026-11-23T09:00:00Z".parse().unwrap()));
    let app = app_on(db.url(), clock.clone(), &[]).await;
    let mut cases = Vec::new();
    for id in [ACME, GLOBEX] {
        app.create_account(
            &tierdesk_testkit::operator(),
            tierdesk_testkit::account(id, "aws.enterprise_2025"),
        )
        .await
        .unwrap();
        let caller = api_caller(&app, id).await;
        cases.push(
            app.create_case(
                &caller,
                &tierdesk_testkit::operator(),
                CreateCase {
                    subject: Some(format!("Trouble at {id}")),
                    communication_body: Some("It broke.".into()),
                    severity_code: Some("high".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap(),
        );
    }
    let agent = |email: &str, role: &str| NewAgent {
        email: email.into(),
        name: email.into(),
        languages: vec!["en".into()],
        role: role.into(),
        ..Default::default()
    };
    let engineer = app
        .create_agent(
            &tierdesk_testkit::operator(),
            agent("eng@support.example", "agent"),
        )
        .await
        .unwrap();
    let tam = app
        .create_agent(
            &tierdesk_testkit::operator(),
            agent("tam@support.example", "tam"),
        )
        .await
        .unwrap();
    let admin = app
        .create_agent(
            &tierdesk_testkit::operator(),
            agent("admin@support.example", "admin"),
        )
        .await
        .unwrap();
    app.set_tam(
        &tierdesk_testkit::operator(),
        ACME,
        Some("tam@support.example"),
    )
    .await
    .unwrap();
    let globex_case = cases.pop().unwrap();
    let acme_case = cases.pop().unwrap();
    Staff {
        app,
        clock,
        engineer,
        tam,
        admin,
        acme_case,
        globex_case,
        _db: db,
    }
}

fn note(case: &Case) -> Message {
    Message {
        case_id: Some(case.case_id.clone()),
        body: Some("Looking.".into()),
        internal: true,
        ..Message::default()
    }
}

async fn queue_accounts(app: &App, who: &tierdesk_core::records::Agent) -> Vec<String> {
    let (cases, _) = app.queue(who, QueueFilter::default()).await.unwrap();
    let mut ids: Vec<String> = cases.into_iter().map(|c| c.account_id).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_tam_reaches_only_the_accounts_they_manage() {
    let s = staff().await;
    let tam = &s.tam.agent;
    assert_eq!(
        s.app.reach(tam).await.unwrap(),
        Reach::Only(vec![ACME.into()])
    );
    // Their account's case: read, noted.
    s.app.case_sla(tam, &s.acme_case.case_id).await.unwrap();
    s.app
        .post_message(
            Actor::Agent(tam),
            &tierdesk_testkit::operator(),
            note(&s.acme_case),
        )
        .await
        .unwrap();
    // Another account's case answers as a case that does not exist, for every use case.
    let other = &s.globex_case.case_id;
    let refusals = [
        s.app.case_sla(tam, other).await.err(),
        s.app
            .case_conversation(tam, &tierdesk_testkit::operator(), other)
            .await
            .err(),
        s.app
            .post_message(
                Actor::Agent(tam),
                &tierdesk_testkit::operator(),
                note(&s.globex_case),
            )
            .await
            .err(),
        s.app
            .set_case_status(tam, &tierdesk_testkit::operator(), other, Some("resolved"))
            .await
            .err(),
        s.app
            .assign_case(tam, &tierdesk_testkit::operator(), other, Some("me"))
            .await
            .err(),
        s.app
            .escalate(Actor::Agent(tam), &tierdesk_testkit::operator(), other)
            .await
            .err(),
        s.app
            .case_attachment(tam, &tierdesk_testkit::operator(), other, "attachment-x")
            .await
            .err(),
    ];
    for r in refusals {
        assert!(matches!(r, Some(ServiceError::CaseNotFound(_))), "{r:?}");
    }
    // The queue holds their accounts' cases only, whatever the filter asks.
    assert_eq!(queue_accounts(&s.app, tam).await, [ACME]);
    let (asked, _) = s
        .app
        .queue(
            tam,
            QueueFilter {
                accounts: Some(vec![GLOBEX.into()]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(asked.is_empty());
    // Admins and unlimited engineers reach both.
    assert_eq!(queue_accounts(&s.app, &s.admin.agent).await, [ACME, GLOBEX]);
    assert_eq!(
        queue_accounts(&s.app, &s.engineer.agent).await,
        [ACME, GLOBEX]
    );
}

#[tokio::test]
async fn an_engineer_limited_to_accounts_works_only_those() {
    let s = staff().await;
    let eng = s
        .app
        .set_agent_accounts(
            &tierdesk_testkit::operator(),
            "eng@support.example",
            vec![GLOBEX.into()],
        )
        .await
        .unwrap();
    assert_eq!(queue_accounts(&s.app, &eng).await, [GLOBEX]);
    assert!(matches!(
        s.app.case_sla(&eng, &s.acme_case.case_id).await,
        Err(ServiceError::CaseNotFound(_))
    ));
    s.app.case_sla(&eng, &s.globex_case.case_id).await.unwrap();
    // Back to every account.
    s.app
        .set_agent_accounts(&tierdesk_testkit::operator(), "eng@support.example", vec![])
        .await
        .unwrap();
    s.app.case_sla(&eng, &s.acme_case.case_id).await.unwrap();
    // Only engineers are limited; an unknown account is refused.
    assert!(matches!(
        s.app
            .set_agent_accounts(
                &tierdesk_testkit::operator(),
                "tam@support.example",
                vec![GLOBEX.into()]
            )
            .await,
        Err(ServiceError::Refused(
            Refusal::OnlyEngineersAreLimited { .. }
        ))
    ));
    assert!(matches!(
        s.app
            .set_agent_accounts(
                &tierdesk_testkit::operator(),
                "eng@support.example",
                vec!["999999999999".into()]
            )
            .await,
        Err(ServiceError::NotFound(_))
    ));
}

#[tokio::test]
async fn taken_access_stops_at_the_next_request() {
    let s = staff().await;
    let token = s.engineer.token.clone();
    s.app.authenticate_agent(&token).await.unwrap();
    s.app
        .set_password(
            &tierdesk_testkit::operator(),
            "eng@support.example",
            "engineer password 1",
        )
        .await
        .unwrap();
    let signed = s
        .app
        .sign_in("eng@support.example", "engineer password 1", None)
        .await
        .unwrap();

    // Disabled: token and session refused, sign-in refused; enabled: token works again.
    s.app
        .set_agent_disabled(&tierdesk_testkit::operator(), "eng@support.example", true)
        .await
        .unwrap();
    assert!(matches!(
        s.app.authenticate_agent(&token).await,
        Err(ServiceError::Unauthenticated(_))
    ));
    assert!(s.app.session(&signed.token).await.is_err());
    assert!(
        s.app
            .sign_in("eng@support.example", "engineer password 1", None)
            .await
            .is_err()
    );
    s.app
        .set_agent_disabled(&tierdesk_testkit::operator(), "eng@support.example", false)
        .await
        .unwrap();
    s.app.authenticate_agent(&token).await.unwrap();

    // Rotated: the old token stops, the new one works; revoked: nothing works.
    let rotated = s
        .app
        .rotate_agent_token(&tierdesk_testkit::operator(), "eng@support.example", None)
        .await
        .unwrap();
    assert!(s.app.authenticate_agent(&token).await.is_err());
    s.app.authenticate_agent(&rotated.token).await.unwrap();
    s.app
        .revoke_agent_token(&tierdesk_testkit::operator(), "eng@support.example")
        .await
        .unwrap();
    assert!(s.app.authenticate_agent(&rotated.token).await.is_err());

    // A token with a lifetime stops when it ends.
    let short = s
        .app
        .rotate_agent_token(
            &tierdesk_testkit::operator(),
            "eng@support.example",
            Some(Duration::from_secs(3600)),
        )
        .await
        .unwrap();
    s.app.authenticate_agent(&short.token).await.unwrap();
    s.clock.set(s.clock.now() + Duration::from_secs(3601));
    assert!(s.app.authenticate_agent(&short.token).await.is_err());

    // A new role holds at once: an admin made an engineer (limited to nothing) reaches
    // every account.
    let engineer = s
        .app
        .set_agent_role(
            &tierdesk_testkit::operator(),
            "admin@support.example",
            "agent",
        )
        .await
        .unwrap();
    assert_eq!(s.app.reach(&engineer).await.unwrap(), Reach::Every);
    // A TAM who manages accounts keeps the role until the accounts have another TAM.
    assert!(matches!(
        s.app
            .set_agent_role(
                &tierdesk_testkit::operator(),
                "tam@support.example",
                "agent"
            )
            .await,
        Err(ServiceError::Conflict(_))
    ));
}

#[tokio::test]
async fn a_disabled_or_deleted_user_is_no_one_and_their_cases_stay() {
    let s = staff().await;
    s.app
        .create_user(
            &tierdesk_testkit::operator(),
            ACME,
            "ex@acme.example",
            "Ex",
            None,
            Some("customer password 1"),
        )
        .await
        .unwrap();
    let signed = s
        .app
        .sign_in("ex@acme.example", "customer password 1", None)
        .await
        .unwrap();
    s.app
        .set_user_disabled(&tierdesk_testkit::operator(), "ex@acme.example", true)
        .await
        .unwrap();
    assert!(s.app.session(&signed.token).await.is_err());
    assert!(
        s.app
            .sign_in("ex@acme.example", "customer password 1", None)
            .await
            .is_err()
    );
    s.app
        .set_user_disabled(&tierdesk_testkit::operator(), "ex@acme.example", false)
        .await
        .unwrap();
    s.app
        .sign_in("ex@acme.example", "customer password 1", None)
        .await
        .unwrap();
    s.app
        .delete_user(&tierdesk_testkit::operator(), "ex@acme.example")
        .await
        .unwrap();
    assert!(
        s.app
            .sign_in("ex@acme.example", "customer password 1", None)
            .await
            .is_err()
    );
    assert!(matches!(
        s.app
            .delete_user(&tierdesk_testkit::operator(), "ex@acme.example")
            .await,
        Err(ServiceError::NotFound(_))
    ));
    // The account's case is still there for support.
    s.app
        .case_sla(&s.admin.agent, &s.acme_case.case_id)
        .await
        .unwrap();
}

#[tokio::test]
async fn reports_are_bounded_and_scoped() {
    use jiff::civil::date;
    use tierdesk_app::error::{Field, Problem};
    use tierdesk_app::reports::ReportFilter;
    let s = staff().await;
    let year = |account: Option<&str>| {
        let mut f = ReportFilter::period(date(2026, 1, 1), date(2026, 12, 31));
        f.cases.account = account.map(String::from);
        f
    };
    s.app.sla_report(&year(None)).await.unwrap();
    let long = s
        .app
        .sla_report(&ReportFilter {
            from: date(2000, 1, 1),
            ..year(None)
        })
        .await;
    assert!(
        matches!(&long, Err(ServiceError::Invalid(i))
            if i.field == Field::BeforeTime
                && matches!(i.problem, Problem::PeriodTooLong { max_days: 366, .. })),
        "{long:?}"
    );
    // A TAM asks for their account's report, not everyone's.
    let tam = &s.tam.agent;
    s.app.sla_report_for(tam, &year(Some(ACME))).await.unwrap();
    for refused in [year(None), year(Some(GLOBEX))] {
        assert!(matches!(
            s.app.sla_report_for(tam, &refused).await,
            Err(ServiceError::Forbidden(_))
        ));
    }
    s.app
        .sla_report_for(&s.admin.agent, &year(None))
        .await
        .unwrap();
}

/// Made-up key ids (a stranger's signed-looking requests) never push a real key out of
/// the cache: seen from outside, a key revoked in the database still answers from the
/// cache until its entry ages out, however many unknown ids came in between.
#[tokio::test]
async fn unknown_key_ids_do_not_evict_known_keys() {
    let s = staff().await;
    let key = s
        .app
        .create_key(&tierdesk_testkit::operator(), ACME, "cache")
        .await
        .unwrap();
    assert!(
        s.app
            .resolve_key(&key.access_key_id)
            .await
            .unwrap()
            .is_some()
    );
    s.app
        .revoke_key(&tierdesk_testkit::operator(), &key.access_key_id)
        .await
        .unwrap();
    for i in 0..10_050u64 {
        // The shape of a real id (TD and 18 of A-Z, 2-7), so each is looked up.
        let (mut n, mut tail) = (i, String::new());
        for _ in 0..18 {
            tail.push(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(n % 32) as usize] as char);
            n /= 32;
        }
        let made_up = format!("TD{tail}");
        assert!(s.app.resolve_key(&made_up).await.unwrap().is_none());
    }
    assert!(
        s.app
            .resolve_key(&key.access_key_id)
            .await
            .unwrap()
            .is_some(),
        "the known key was pushed out by unknown ones"
    );
    // Once its entry is stale, the revocation holds.
    s.clock.set(s.clock.now() + Duration::from_secs(3));
    assert!(
        s.app
            .resolve_key(&key.access_key_id)
            .await
            .unwrap()
            .is_none()
    );
    // Ids of another shape are refused without asking the database.
    assert!(s.app.resolve_key("AKIDNOBODY").await.unwrap().is_none());
}

/// An admin in the console cannot take their own access away (only the command line
/// could give it back); a token's lifetime is bounded whoever asks for it.
#[tokio::test]
async fn an_admin_keeps_their_own_access_and_lifetimes_are_bounded() {
    use tierdesk_app::error::{Field, Refusal};
    let s = staff().await;
    let admin = &s.admin.agent;
    let as_admin = agent_who(admin, ActorKind::ConsoleAgent, None);
    for refused in [
        s.app
            .set_agent_disabled(&as_admin, &admin.email, true)
            .await
            .err(),
        s.app
            .set_agent_role(&as_admin, &admin.email, "agent")
            .await
            .err(),
        s.app
            .revoke_agent_token(&as_admin, &admin.email)
            .await
            .err(),
    ] {
        assert!(
            matches!(refused, Some(ServiceError::Refused(Refusal::OwnAccess))),
            "{refused:?}"
        );
    }
    // Another admin's access is theirs to change.
    s.app
        .set_agent_disabled(&as_admin, "eng@support.example", true)
        .await
        .unwrap();
    for lifetime in [Duration::from_secs(10), Duration::from_secs(3651 * 86_400)] {
        let r = s
            .app
            .rotate_agent_token(
                &tierdesk_testkit::operator(),
                "tam@support.example",
                Some(lifetime),
            )
            .await;
        assert!(
            matches!(&r, Err(ServiceError::Invalid(i)) if i.field == Field::TokenLifetime),
            "{:?}",
            r.err()
        );
    }
}
