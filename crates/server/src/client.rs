//! Who is on the other end: the peer's address, or, when the peer is a reverse proxy the
//! operator trusts (`serve --trusted-proxy`), the address that proxy says it served. A
//! forwarded-for header from anyone else is ignored: a client could write any address
//! there and walk past a per-address limit.

use std::net::{IpAddr, SocketAddr};

use axum::Extension;
use axum::extract::ConnectInfo;
use axum::http::HeaderMap;

/// The bearer token a request carries (`Authorization: Bearer <token>`), trimmed.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The peer as the listener saw it (absent when a test drives the router in process).
pub(crate) type Peer = Option<Extension<ConnectInfo<SocketAddr>>>;

/// The client's address as the audit log records it, from a request's parts.
pub(crate) fn address_of(
    trusted_proxies: &[IpAddr],
    parts: &axum::http::request::Parts,
) -> Option<String> {
    let peer: Peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| Extension(*c));
    address(trusted_proxies, &peer, &parts.headers).map(|a| a.to_string())
}

/// The client's address, if known.
pub(crate) fn address(
    trusted_proxies: &[IpAddr],
    peer: &Peer,
    headers: &HeaderMap,
) -> Option<IpAddr> {
    let peer = peer.as_ref().map(|Extension(ConnectInfo(a))| a.ip())?;
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    // The proxy appends the address it served to the list: take the last one that is
    // not itself a trusted proxy (proxies may be chained).
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|a| !trusted_proxies.contains(a))
            .unwrap_or(peer),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(a: &str) -> Peer {
        Some(Extension(ConnectInfo(SocketAddr::new(
            a.parse().unwrap_or(IpAddr::from([0, 0, 0, 0])),
            40000,
        ))))
    }

    fn forwarded(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Ok(v) = v.parse() {
            h.insert("x-forwarded-for", v);
        }
        h
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxy: IpAddr = [10, 0, 0, 1].into();
        let client: IpAddr = [203, 0, 113, 7].into();
        let h = forwarded("198.51.100.9, 203.0.113.7");
        // From the proxy: the address it appended (the client wrote the first one).
        assert_eq!(address(&[proxy], &peer("10.0.0.1"), &h), Some(client));
        // From anyone else, the header is theirs to invent: the peer counts.
        assert_eq!(
            address(&[proxy], &peer("192.0.2.1"), &h),
            Some([192, 0, 2, 1].into())
        );
        assert_eq!(address(&[], &peer("10.0.0.1"), &h), Some(proxy));
        // A trusted proxy that forwards nothing readable is the client.
        assert_eq!(
            address(&[proxy], &peer("10.0.0.1"), &forwarded("junk")),
            Some(proxy)
        );
        assert_eq!(address(&[proxy], &None, &h), None);
    }
}
