//! Throw-away PostgreSQL databases for test suites and benchmarks: each gets a database of
//! its own on the server `TIERDESK_TEST_PG` points at, so runs never share state.

use crate::StoreError;

/// A database name the suites may create: lower-case letters, digits and underscores.
fn check_name(name: &str) -> Result<(), StoreError> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(StoreError::BadUrl(format!(
            "'{name}' is not a scratch database name"
        )))
    }
}

/// The URL of database `name` on the server of `base` (a `postgres://…/db` URL).
fn url_of(base: &str, name: &str) -> String {
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    match base.rfind('/') {
        Some(i) if i >= scheme_end => format!("{}/{name}", &base[..i]),
        _ => format!("{base}/{name}"),
    }
}

/// Creates database `name` beside `base`'s and returns its URL.
pub async fn create_pg_database(base: &str, name: &str) -> Result<String, StoreError> {
    check_name(name)?;
    let admin = sqlx::PgPool::connect(base).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await?;
    admin.close().await;
    Ok(url_of(base, name))
}

/// Drops database `name` beside `base`'s, closing its connections.
pub async fn drop_pg_database(base: &str, name: &str) -> Result<(), StoreError> {
    check_name(name)?;
    let admin = sqlx::PgPool::connect(base).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
    )))
    .execute(&admin)
    .await?;
    admin.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_names() {
        assert_eq!(
            url_of("postgres://u@h:5432/test", "x_1"),
            "postgres://u@h:5432/x_1"
        );
        assert_eq!(
            url_of("postgres://u@h:5432", "x_1"),
            "postgres://u@h:5432/x_1"
        );
        assert!(check_name("tierdesk_conf_ab12").is_ok());
        assert!(check_name("x; DROP DATABASE test").is_err());
    }
}
