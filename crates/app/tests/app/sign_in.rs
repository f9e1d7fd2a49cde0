//! Console sign-in: users and agents, passwords, sessions across replicas, expiry, CSRF,
//! and the per-email attempt limit.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use tierdesk_app::accounts::NewAccount;
use tierdesk_app::agents::NewAgent;
use tierdesk_app::error::{Field, Invalid, Problem};
use tierdesk_app::sessions::{Person, SESSION_TTL, csrf_ok};
use tierdesk_app::{App, ServiceError};
use tierdesk_core::clock::{Clock, ManualClock};
use tierdesk_testkit::{ScratchDb, api_caller, app_on};

async fn replica(url: &str, clock: Arc<ManualClock>) -> App {
    app_on(url, clock, &[]).await
}

#[tokio::test]
async fn users_and_agents_sign_in_and_sessions_hold_across_replicas() {
    let db = ScratchDb::sqlite("signin");
    let url = db.url();
    let clock = Arc::new(ManualClock::new("2026-11-22T09:00:00Z".parse().unwrap()));
    let a = replica(url, clock.clone()).await;
    let b = replica(url, clock.clone()).await;
    a.create_account(
        &tierdesk_testkit::operator(),
        NewAccount {
            id: "123456789012".into(),
            name: "Acme".into(),
            plan: "aws.business_plus".into(),
            timezone: "Asia/Tokyo".into(),
            country: "JP".into(),
            language: "ja".into(),
            force: false,
        },
    )
    .await
    .unwrap();
    let user = a
        .create_user(
            &tierdesk_testkit::operator(),
            "123456789012",
            "Kenji@Example.com",
            "Kenji",
            None,
            Some("correct horse battery"),
        )
        .await
        .unwrap();
    assert_eq!(
        (user.email.as_str(), user.language.as_str()),
        ("kenji@example.com", "ja")
    );
    // One email, one person.
    let taken = a
        .create_agent(
            &tierdesk_testkit::operator(),
            NewAgent {
                email: "kenji@example.com".into(),
                name: "K".into(),
                languages: vec![],
                role: "agent".into(),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(taken, Err(ServiceError::Conflict(_))));
    let short = a
        .create_user(
            &tierdesk_testkit::operator(),
            "123456789012",
            "x@example.com",
            "X",
            None,
            Some("short"),
        )
        .await;
    assert!(matches!(
        short,
        Err(ServiceError::Invalid(Invalid {
            field: Field::Password,
            problem: Problem::Length {
                min: 12,
                max: 1024,
                got: 5
            },
        }))
    ));

    let wrong = a
        .sign_in("kenji@example.com", "wrong horse battery", None)
        .await;
    let unknown = a
        .sign_in("nobody@example.com", "correct horse battery", None)
        .await;
    // The same answer whether or not the email exists.
    assert_eq!(format!("{wrong:?}"), format!("{unknown:?}"));
    let signed = a
        .sign_in("KENJI@example.com", "correct horse battery", None)
        .await
        .unwrap();
    assert!(
        matches!(&signed.person, Person::Customer { account, .. } if account.id == "123456789012")
    );
    // Another replica knows the session.
    let (session, person) = b.session(&signed.token).await.unwrap();
    assert!(matches!(person, Person::Customer { .. }));
    assert!(csrf_ok(&session, &signed.session.csrf));
    assert!(!csrf_ok(&session, "forged"));
    assert!(!csrf_ok(&session, ""));
    assert!(b.session("tds_forged").await.is_err());

    // Agents get a password the same way and sign in as agents.
    a.create_agent(
        &tierdesk_testkit::operator(),
        NewAgent {
            email: "ada@support.example.com".into(),
            name: "Ada".into(),
            languages: vec!["en".into()],
            role: "tam".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    a.set_password(
        &tierdesk_testkit::operator(),
        "ada@support.example.com",
        "tam password 2026",
    )
    .await
    .unwrap();
    let ada = b
        .sign_in("ada@support.example.com", "tam password 2026", None)
        .await
        .unwrap();
    assert!(matches!(ada.person, Person::Agent(ref agent) if agent.role.as_str() == "tam"));

    // Sign-out ends the session everywhere; a new password ends the others.
    b.sign_out(&tierdesk_testkit::operator(), None, &ada.token)
        .await
        .unwrap();
    assert!(a.session(&ada.token).await.is_err());
    a.set_password(
        &tierdesk_testkit::operator(),
        "kenji@example.com",
        "another horse battery",
    )
    .await
    .unwrap();
    assert!(a.session(&signed.token).await.is_err());
    assert!(
        a.sign_in("kenji@example.com", "correct horse battery", None)
            .await
            .is_err()
    );

    // Changing one's own password needs the current one, ends the other sessions and
    // opens a new one.
    let other_browser = a
        .sign_in("kenji@example.com", "another horse battery", None)
        .await
        .unwrap();
    let this_browser = b
        .sign_in("kenji@example.com", "another horse battery", None)
        .await
        .unwrap();
    let wrong_current = a
        .change_password(
            &tierdesk_testkit::operator(),
            "kenji@example.com",
            "not my password",
            "third horse battery",
        )
        .await;
    assert!(matches!(
        wrong_current,
        Err(ServiceError::Invalid(Invalid {
            field: Field::CurrentPassword,
            problem: Problem::Wrong
        }))
    ));
    let too_short = a
        .change_password(
            &tierdesk_testkit::operator(),
            "kenji@example.com",
            "another horse battery",
            "short",
        )
        .await;
    assert!(matches!(
        too_short,
        Err(ServiceError::Invalid(Invalid {
            field: Field::Password,
            problem: Problem::Length {
                min: 12,
                max: 1024,
                got: 5
            },
        }))
    ));
    assert!(
        b.session(&this_browser.token).await.is_ok(),
        "refusals change nothing"
    );
    let renewed = b
        .change_password(
            &tierdesk_testkit::operator(),
            "kenji@example.com",
            "another horse battery",
            "third horse battery",
        )
        .await
        .unwrap();
    assert!(a.session(&other_browser.token).await.is_err());
    assert!(a.session(&this_browser.token).await.is_err());
    assert!(a.session(&renewed.token).await.is_ok());
    a.set_password(
        &tierdesk_testkit::operator(),
        "kenji@example.com",
        "another horse battery",
    )
    .await
    .unwrap();

    // Sessions expire.
    let fresh = a
        .sign_in("kenji@example.com", "another horse battery", None)
        .await
        .unwrap();
    clock.set(clock.now() + SESSION_TTL + Duration::from_secs(1));
    assert!(a.session(&fresh.token).await.is_err());

    // Attempts are limited per email and minute, across replicas.
    let mut throttled = false;
    for i in 0..12 {
        let app = if i % 2 == 0 { &a } else { &b };
        if let Err(ServiceError::Throttled(_)) = app
            .sign_in("kenji@example.com", "guess guess guess", None)
            .await
        {
            throttled = true;
            break;
        }
    }
    assert!(throttled);
}

/// The Support API is a plan feature; the console is not: a Developer-plan customer opens
/// cases in the console while the same account's API key is refused.
#[tokio::test]
async fn console_customers_open_cases_on_plans_without_the_api() {
    let db = ScratchDb::sqlite("console");
    let url = db.url();
    let clock = Arc::new(ManualClock::new("2026-11-23T01:00:00Z".parse().unwrap()));
    let app = replica(url, clock).await;
    app.create_account(
        &tierdesk_testkit::operator(),
        NewAccount {
            id: "123456789013".into(),
            name: "Dev Co".into(),
            plan: "aws.developer".into(),
            timezone: "UTC".into(),
            country: "US".into(),
            language: "en".into(),
            force: false,
        },
    )
    .await
    .unwrap();
    let user = app
        .create_user(
            &tierdesk_testkit::operator(),
            "123456789013",
            "dev@example.com",
            "Dev",
            None,
            None,
        )
        .await
        .unwrap();
    let account = app.account("123456789013").await.unwrap();
    let caller = app.console_caller(&user, &account).await.unwrap();
    let input = tierdesk_app::cases::CreateCase {
        subject: Some("Lambda cold starts".into()),
        communication_body: Some("p99 went from 200 ms to 2 s".into()),
        severity_code: Some("normal".into()),
        ..Default::default()
    };
    let case = app
        .create_case(&caller, &tierdesk_testkit::operator(), input.clone())
        .await
        .unwrap();
    assert_eq!(case.first_response.map(|f| f.minutes), Some(720));
    let api = api_caller(&app, "123456789013").await;
    assert!(matches!(
        app.create_case(&api, &tierdesk_testkit::operator(), input)
            .await,
        Err(ServiceError::SubscriptionRequired(_))
    ));
}

/// What the sign-in form takes from strangers is bounded: nothing implausible reaches the
/// store, one address cannot try email after email, and a flood on someone's email does
/// not keep them from changing their password.
#[tokio::test]
async fn sign_in_limits_hold_against_strangers() {
    let db = ScratchDb::sqlite("signin-limits");
    let clock = Arc::new(ManualClock::new("2026-11-22T09:00:00Z".parse().unwrap()));
    let app = replica(db.url(), clock.clone()).await;
    app.create_account(
        &tierdesk_testkit::operator(),
        tierdesk_testkit::account("123456789012", "aws.business"),
    )
    .await
    .unwrap();
    app.create_user(
        &tierdesk_testkit::operator(),
        "123456789012",
        "kenji@example.com",
        "Kenji",
        None,
        Some("correct horse battery"),
    )
    .await
    .unwrap();

    // A megabyte "email" is turned away before the limiter: were it counted, the twelfth
    // try would be throttled, not merely wrong.
    let huge = format!("{}@example.com", "a".repeat(1 << 20));
    for _ in 0..12 {
        let r = app.sign_in(&huge, "whatever", None).await;
        assert!(matches!(r, Err(ServiceError::Unauthenticated(_))), "{r:?}");
    }

    // One address, a new email each time: the address runs out.
    let stranger: IpAddr = [203, 0, 113, 7].into();
    let mut refused_at = None;
    for i in 0..40 {
        let r = app
            .sign_in(
                &format!("guess{i}@example.com"),
                "guess guess",
                Some(stranger),
            )
            .await;
        if matches!(r, Err(ServiceError::Throttled(_))) {
            refused_at = Some(i);
            break;
        }
    }
    assert_eq!(refused_at, Some(30));
    // Someone else, from elsewhere, still signs in.
    app.sign_in(
        "kenji@example.com",
        "correct horse battery",
        Some([198, 51, 100, 1].into()),
    )
    .await
    .unwrap();

    // A flood on Kenji's email throttles sign-in, but not his password change.
    for _ in 0..12 {
        let _ = app.sign_in("kenji@example.com", "wrong wrong", None).await;
    }
    assert!(matches!(
        app.sign_in("kenji@example.com", "correct horse battery", None)
            .await,
        Err(ServiceError::Throttled(_))
    ));
    app.change_password(
        &tierdesk_testkit::operator(),
        "kenji@example.com",
        "correct horse battery",
        "another horse battery",
    )
    .await
    .unwrap();
}
