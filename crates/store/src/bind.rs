//! The values a query binds, shared by both engines' queries (`queries/*.rs`, compiled once
//! per engine) and the writer, which holds a scripted write's values while it waits in the
//! queue (`Bind<'static>`: owned strings). Each engine binds them with its own `bound`
//! (`queries/common.rs`).

/// A value a query binds.
#[derive(Debug, Clone)]
pub(crate) enum Bind<'a> {
    I(i64),
    OptI(Option<i64>),
    S(&'a str),
    OptS(Option<&'a str>),
    B(bool),
    Owned(String),
    OptOwned(Option<String>),
}
