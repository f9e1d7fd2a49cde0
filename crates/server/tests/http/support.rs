//! A Tierdesk router on a scratch database with a demo-like account, and the ways to call
//! it: signed AWS calls, bearer-token API calls, console requests with a session.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use jiff::Timestamp;
use serde_json::Value;
use tierdesk_app::App;
use tierdesk_app::accounts::NewAccount;
use tierdesk_app::agents::NewAgent;
use tierdesk_aws::sigv4::{self, Scope, SignedRequest};
use tierdesk_aws::{CONTENT_TYPE, Operation, Service};
use tierdesk_core::clock::ManualClock;
use tierdesk_server::AppState;
use tierdesk_testkit::{Engine, ScratchDb, app_on};

/// Runs the async test body `$body(server)` on each engine that is on.
macro_rules! both_engines {
    ($(async fn $name:ident($s:ident) $body:block)*) => {
        $(mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($s: crate::support::Server) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(s) = crate::support::Server::on(tierdesk_testkit::Engine::Sqlite).await {
                    run(s).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(s) = crate::support::Server::on(tierdesk_testkit::Engine::Postgres).await {
                    run(s).await;
                }
            }
        })*
    };
}
pub(crate) use both_engines;

pub const ACCOUNT: &str = "111122223333";
pub const OTHER_ACCOUNT: &str = "444455556666";
pub const CUSTOMER_EMAIL: &str = "ops@example.com";
pub const PASSWORD: &str = "correct horse battery staple";

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

pub struct Server {
    pub app: App,
    pub clock: Arc<ManualClock>,
    router: Router,
    pub access_key: String,
    secret: String,
    /// Agent tokens by role: "agent", "tam", "admin".
    pub tokens: Vec<(String, String)>,
    // Last, so the database outlives the App's connections.
    _db: ScratchDb,
}

impl Server {
    /// A server on a scratch database of `engine`, with an Enterprise account (one access
    /// key, one console user), a Business account beside it, and one agent of each role.
    pub async fn on(engine: Engine) -> Option<Server> {
        let db = ScratchDb::on(engine, "http").await?;
        let clock = Arc::new(ManualClock::new(
            "2026-11-23T09:00:00Z".parse::<Timestamp>().unwrap(),
        ));
        let app = app_on(db.url(), clock.clone(), &[]).await;
        for (id, plan) in [
            (ACCOUNT, "aws.enterprise_2025"),
            (OTHER_ACCOUNT, "aws.business"),
        ] {
            app.create_account(
                &tierdesk_testkit::operator(),
                NewAccount {
                    timezone: "America/New_York".into(),
                    ..tierdesk_testkit::account(id, plan)
                },
            )
            .await
            .unwrap();
        }
        let key = app
            .create_key(&tierdesk_testkit::operator(), ACCOUNT, "http tests")
            .await
            .unwrap();
        // Passwords are set when a test signs someone in (`visitor`): hashing them is the
        // slowest part of setting up, and most tests sign nobody in.
        app.create_user(
            &tierdesk_testkit::operator(),
            ACCOUNT,
            CUSTOMER_EMAIL,
            "Ops",
            Some("en"),
            None,
        )
        .await
        .unwrap();
        let mut tokens = Vec::new();
        for role in ["agent", "tam", "admin"] {
            let made = app
                .create_agent(
                    &tierdesk_testkit::operator(),
                    NewAgent {
                        email: format!("{role}@support.example"),
                        name: format!("The {role}"),
                        languages: vec!["en".into()],
                        role: role.into(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            tokens.push((role.to_string(), made.token));
        }
        app.set_tam(
            &tierdesk_testkit::operator(),
            ACCOUNT,
            Some("tam@support.example"),
        )
        .await
        .unwrap();
        let router = tierdesk_server::router(AppState::new(app.clone()));
        Some(Server {
            app,
            clock,
            router,
            access_key: key.access_key_id,
            secret: key.secret_access_key,
            tokens,
            _db: db,
        })
    }

    /// The same server configured otherwise (as `serve`'s flags would).
    pub fn configured(&self, set: impl FnOnce(&mut AppState)) -> Router {
        let mut state = AppState::new(self.app.clone());
        set(&mut state);
        tierdesk_server::router(state)
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        self.send_to(&self.router, req).await
    }

    pub async fn send_to(&self, router: &Router, req: Request<Body>) -> Reply {
        use tower::ServiceExt;
        let resp = router.clone().oneshot(req).await.unwrap();
        let (parts, body) = resp.into_parts();
        Reply {
            status: parts.status,
            headers: parts.headers,
            body: body.collect().await.unwrap().to_bytes(),
        }
    }

    /// An AWS Support call signed with the account's key at the server's time.
    pub async fn aws(&self, op: Operation, input: Value) -> Reply {
        self.aws_signed_by(op, input, &self.access_key, &self.secret)
            .await
    }

    pub async fn aws_signed_by(
        &self,
        op: Operation,
        input: Value,
        access_key: &str,
        secret: &str,
    ) -> Reply {
        self.send(self.signed(op, input, access_key, secret, &[]))
            .await
    }

    /// A call with the account's key whose signature leaves `unsigned` headers out (they
    /// are sent all the same).
    pub fn signed_request(&self, op: Operation, input: Value, unsigned: &[&str]) -> Request<Body> {
        self.signed(op, input, &self.access_key, &self.secret, unsigned)
    }

    fn signed(
        &self,
        op: Operation,
        input: Value,
        access_key: &str,
        secret: &str,
        unsigned: &[&str],
    ) -> Request<Body> {
        use tierdesk_core::clock::Clock;
        let body = serde_json::to_vec(&input).unwrap();
        let headers = vec![
            ("content-type".to_string(), CONTENT_TYPE.to_string()),
            ("host".to_string(), "localhost".to_string()),
            ("x-amz-target".to_string(), op.target()),
        ];
        let to_sign: Vec<(String, String)> = headers
            .iter()
            .filter(|(n, _)| !unsigned.contains(&n.as_str()))
            .cloned()
            .collect();
        let (date, authorization) = sigv4::sign(
            &SignedRequest {
                method: "POST",
                path: "/",
                query: "",
                headers: &to_sign,
                body: &body,
            },
            access_key,
            secret,
            Scope {
                region: "us-east-1",
                service: Service::Support.signing_name(),
            },
            self.clock.now(),
        );
        let mut req = Request::post("/");
        for (n, v) in &headers {
            req = req.header(n, v);
        }
        req.header("x-amz-date", date)
            .header("authorization", authorization)
            .body(Body::from(body))
            .unwrap()
    }

    /// An AWS Health call signed with the account's key, in JSON 1.1 (`cbor: false`) or
    /// Smithy RPC v2 CBOR; the answer's CBOR body is read back into JSON.
    pub async fn health(&self, cbor: bool, op: &str, input: Value) -> Reply {
        use tierdesk_aws::health::{SERVICE_NAME, TARGET_PREFIX, is_timestamp};
        use tierdesk_core::clock::Clock;
        let (path, body, mut headers) = if cbor {
            (
                format!("/service/{SERVICE_NAME}/operation/{op}"),
                tierdesk_aws::cbor::encode(&input, &is_timestamp),
                vec![
                    ("content-type".to_string(), "application/cbor".to_string()),
                    ("smithy-protocol".to_string(), "rpc-v2-cbor".to_string()),
                ],
            )
        } else {
            (
                "/".to_string(),
                serde_json::to_vec(&input).unwrap(),
                vec![
                    ("content-type".to_string(), CONTENT_TYPE.to_string()),
                    ("x-amz-target".to_string(), format!("{TARGET_PREFIX}{op}")),
                ],
            )
        };
        headers.push(("host".to_string(), "localhost".to_string()));
        let (date, authorization) = sigv4::sign(
            &SignedRequest {
                method: "POST",
                path: &path,
                query: "",
                headers: &headers,
                body: &body,
            },
            &self.access_key,
            &self.secret,
            Scope {
                region: "us-east-1",
                service: Service::Health.signing_name(),
            },
            self.clock.now(),
        );
        let mut req = Request::post(path.as_str());
        for (n, v) in &headers {
            req = req.header(n, v);
        }
        let mut reply = self
            .send(
                req.header("x-amz-date", date)
                    .header("authorization", authorization)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await;
        if cbor && !reply.body.is_empty() {
            assert_eq!(reply.header("content-type"), "application/cbor");
            assert_eq!(reply.header("smithy-protocol"), "rpc-v2-cbor");
            let v = tierdesk_aws::cbor::decode(&reply.body).expect("a CBOR answer");
            reply.body = Bytes::from(serde_json::to_vec(&v).unwrap());
        }
        reply
    }

    /// A REST-JSON call to the Trusted Advisor API (`trustedadvisor`), signed with the
    /// account's key: `path` as sent (labels percent-encoded), `query` raw.
    pub async fn rest(&self, method: &str, path: &str, query: &str, input: Option<Value>) -> Reply {
        self.rest_as(&self.access_key, &self.secret, method, path, query, input)
            .await
    }

    /// [`Server::rest`] signed with another key.
    pub async fn rest_as(
        &self,
        access_key: &str,
        secret: &str,
        method: &str,
        path: &str,
        query: &str,
        input: Option<Value>,
    ) -> Reply {
        use tierdesk_core::clock::Clock;
        let body = input
            .map(|v| serde_json::to_vec(&v).unwrap())
            .unwrap_or_default();
        let mut headers = vec![("host".to_string(), "localhost".to_string())];
        if !body.is_empty() {
            headers.push(("content-type".into(), "application/json".into()));
        }
        let (date, authorization) = sigv4::sign(
            &SignedRequest {
                method,
                path,
                query,
                headers: &headers,
                body: &body,
            },
            access_key,
            secret,
            Scope {
                region: "us-east-1",
                service: Service::TrustedAdvisor.signing_name(),
            },
            self.clock.now(),
        );
        let uri = if query.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{query}")
        };
        let mut req = Request::builder().method(method).uri(uri);
        for (n, v) in &headers {
            req = req.header(n, v);
        }
        self.send(
            req.header("x-amz-date", date)
                .header("authorization", authorization)
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    pub fn token(&self, role: &str) -> &str {
        &self
            .tokens
            .iter()
            .find(|(r, _)| r == role)
            .expect("a token for the role")
            .1
    }

    /// An operator-API request with `role`'s bearer token.
    pub async fn api(&self, role: &str, method: &str, path: &str, body: Option<Value>) -> Reply {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", format!("Bearer {}", self.token(role)));
        let req = match body {
            Some(v) => req
                .header("content-type", "application/json")
                .body(Body::from(v.to_string())),
            None => req.body(Body::empty()),
        };
        self.send(req.unwrap()).await
    }

    /// A signed-in console visitor: the session cookie and the session's CSRF token. It
    /// sets the person's password first, which ends their other sessions: one visitor
    /// per person in a test.
    pub async fn visitor(&self, email: &str) -> Visitor {
        self.app
            .set_password(&tierdesk_testkit::operator(), email, PASSWORD)
            .await
            .unwrap();
        let signed = self.app.sign_in(email, PASSWORD, None).await.unwrap();
        Visitor {
            cookie: format!("tierdesk_session={}", signed.token),
            csrf: signed.session.csrf,
        }
    }

    pub async fn get_page(&self, v: &Visitor, path: &str) -> Reply {
        let req = Request::get(path)
            .header("cookie", &v.cookie)
            .header("host", "localhost")
            .body(Body::empty())
            .unwrap();
        self.send(req).await
    }

    /// A console GET whose body is read as it streams (server-sent events).
    pub async fn open_stream(&self, v: &Visitor, path: &str) -> axum::response::Response {
        use tower::ServiceExt;
        let req = Request::get(path)
            .header("cookie", &v.cookie)
            .header("host", "localhost")
            .body(Body::empty())
            .unwrap();
        self.router.clone().oneshot(req).await.unwrap()
    }

    /// A customer opens a case through the console form; its case id.
    pub async fn open_case(
        &self,
        v: &Visitor,
        severity: &str,
        subject: &str,
        body: &str,
    ) -> String {
        let r = self
            .post_form(
                v,
                "/console/cases/new",
                &[
                    ("csrf", v.csrf.as_str()),
                    ("subject", subject),
                    ("body", body),
                    ("severity", severity),
                    (
                        "service",
                        "amazon-elastic-compute-cloud-linux|general-guidance",
                    ),
                    ("issue_type", "technical"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        r.header("location").rsplit('/').next().unwrap().to_string()
    }

    /// A URL-encoded console form post; `fields` should carry `csrf` when it is meant to pass.
    pub async fn post_form(&self, v: &Visitor, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let req = Request::post(path)
            .header("cookie", &v.cookie)
            .header("host", "localhost")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }
}

pub struct Visitor {
    pub cookie: String,
    pub csrf: String,
}
