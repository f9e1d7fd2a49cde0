//! Support-plan catalogs: what each plan promises and costs, as data.

mod model;
mod parse;

pub use model::*;
pub use parse::{CatalogError, Source, parse_catalog, parse_duration_minutes};

/// The catalogs shipped inside the binary (AWS's two lineups and Alibaba Cloud's plans).
pub fn builtin_sources() -> [Source<'static>; 2] {
    [
        Source {
            name: "catalogs/aws.toml",
            text: include_str!("../../../../catalogs/aws.toml"),
        },
        Source {
            name: "catalogs/aliyun.toml",
            text: include_str!("../../../../catalogs/aliyun.toml"),
        },
    ]
}

#[cfg(test)]
mod tests;
