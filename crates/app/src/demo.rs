//! The demo behind `serve --demo`: an Enterprise account with an access key, and console
//! people in each role. It composes other use cases (accounts, keys, users, agents, TAMs),
//! so it is the one use-case module that imports another (`agents::NewAgent`).

use tierdesk_core::audit::{ActorKind, Who};

use crate::accounts::{CreatedKey, NewAccount};
use crate::agents::NewAgent;
use crate::error::Refusal;
use crate::{App, ServiceError, ids};

impl App {
    /// The demo installation: an Enterprise account with a key. Idempotent: a second run
    /// reuses both and shows the same credentials.
    pub async fn ensure_demo(&self) -> Result<CreatedKey, ServiceError> {
        const DEMO: &str = "111122223333";
        // Only a database made for the demo gets demo people (with an admin whose password
        // is printed on every start): the first start decides, once, whether it is one.
        let accounts = self.store.accounts().await?;
        let fresh = accounts.iter().all(|a| a.id == DEMO) && self.store.agents().await?.is_empty();
        let marker = self
            .store
            .meta_init(
                "demo.database",
                if fresh {
                    b"yes".to_vec()
                } else {
                    b"no".to_vec()
                },
            )
            .await?;
        if marker != b"yes" {
            return Err(ServiceError::Refused(Refusal::NotADemoDatabase));
        }
        let who = demo_who();
        if self.store.account(DEMO).await?.is_none() {
            self.create_account(
                &who,
                NewAccount {
                    id: DEMO.into(),
                    name: "Demo Corp".into(),
                    plan: "aws.enterprise_2025".into(),
                    timezone: "America/New_York".into(),
                    country: "US".into(),
                    language: "en".into(),
                    force: false,
                },
            )
            .await?;
        }
        let keys = self.store.keys(DEMO).await?;
        if let Some(k) = keys
            .iter()
            .find(|k| k.revoked.is_none() && k.principal == "demo")
        {
            let secret = self
                .master_key
                .open(&k.secret_ciphertext, k.access_key_id.as_bytes())?;
            return Ok(CreatedKey {
                access_key_id: k.access_key_id.clone(),
                secret_access_key: String::from_utf8_lossy(&secret).into_owned(),
                account_id: DEMO.into(),
            });
        }
        self.create_key(&who, DEMO, "demo").await
    }
}

/// The demo's data is made by Tierdesk itself, and the audit log says so.
fn demo_who() -> Who {
    Who::new(ActorKind::System, "demo", None)
}

/// A demo console person: who, in what role, and the password to sign in with.
pub struct DemoPerson {
    pub email: &'static str,
    pub role: &'static str,
    pub password: String,
}

impl App {
    /// The demo's console people: a customer of the demo account, its TAM and an admin.
    /// Idempotent: each password is made once, kept sealed under the master key, and shown
    /// again on every start (so the demo is for trying Tierdesk, not for production).
    pub async fn ensure_demo_people(&self) -> Result<Vec<DemoPerson>, ServiceError> {
        const DEMO: &str = "111122223333";
        let people = [
            ("mei@demo.example.com", "customer", "Mei Tanaka"),
            ("tomoko@demo.example.com", "tam", "Tomoko Ito"),
            ("admin@demo.example.com", "admin", "Demo Admin"),
        ];
        let who = demo_who();
        let mut out = Vec::new();
        for (email, role, name) in people {
            let key = format!("demo.password.{email}");
            let fresh = self
                .master_key
                .seal(ids::token("")?.as_bytes(), key.as_bytes())?;
            let sealed = self.store.meta_init(&key, fresh).await?;
            let password = String::from_utf8(self.master_key.open(&sealed, key.as_bytes())?)
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            let exists = self.store.user_by_email(email).await?.is_some()
                || self.store.agent_by_email(email).await?.is_some();
            if !exists {
                if role == "customer" {
                    self.create_person(&who, DEMO, email, name, Some("en"), Some(&password), true)
                        .await?;
                } else {
                    self.create_agent(
                        &who,
                        NewAgent {
                            email: email.into(),
                            name: name.into(),
                            languages: vec!["en".into(), "ja".into()],
                            role: role.into(),
                            demo: true,
                            ..Default::default()
                        },
                    )
                    .await?;
                    self.set_password(&who, email, &password).await?;
                }
                if role == "tam" {
                    self.set_tam(&who, DEMO, Some(email)).await?;
                }
            }
            out.push(DemoPerson {
                email,
                role,
                password,
            });
        }
        Ok(out)
    }
}
