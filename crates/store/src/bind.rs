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

impl Bind<'_> {
    /// The value with its borrowed strings copied: for a write that waits in the writer's
    /// queue with its statements (`writer::Statement`).
    pub(crate) fn into_static(self) -> Bind<'static> {
        match self {
            Bind::I(v) => Bind::I(v),
            Bind::OptI(v) => Bind::OptI(v),
            Bind::S(v) => Bind::Owned(v.to_string()),
            Bind::OptS(v) => Bind::OptOwned(v.map(str::to_string)),
            Bind::B(v) => Bind::B(v),
            Bind::Owned(v) => Bind::Owned(v),
            Bind::OptOwned(v) => Bind::OptOwned(v),
        }
    }
}
