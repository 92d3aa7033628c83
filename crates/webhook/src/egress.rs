//! The addresses webhooks leave this server from, for `ConfigSvc/GetIPList`: what an app's
//! firewall lets in. Configured per app (`source_ips`, addresses or CIDR ranges, for servers
//! behind NAT or a proxy); otherwise found out: the local address the system would send from
//! to the callback URL's host (a connected UDP socket, which sends nothing), or, with no URL,
//! to the public internet over IPv4 and IPv6.

use std::net::{IpAddr, SocketAddr};

use reqwest::Url;

/// Checks configured `source_ips`: each an IP address or `address/prefix`.
pub fn check_source_ips(ips: &[String]) -> Result<(), String> {
    for ip in ips {
        let (addr, prefix) = match ip.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (ip.as_str(), None),
        };
        let Ok(addr) = addr.parse::<IpAddr>() else {
            return Err(format!(
                "source_ips: {ip:?} is not an IP address or CIDR range"
            ));
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        if let Some(prefix) = prefix {
            if !prefix.parse::<u8>().is_ok_and(|p| p <= max) {
                return Err(format!("source_ips: {ip:?} has a prefix outside 0-{max}"));
            }
        }
    }
    Ok(())
}

/// Where route lookups aim when no callback URL is set: public resolvers' addresses. Nothing
/// is sent to them.
const PUBLIC_TARGETS: [&str; 2] = ["8.8.8.8:53", "[2001:4860:4860::8888]:53"];

/// The local addresses this host sends from to the callback URL (or, without one, to the
/// internet), without duplicates.
pub async fn outbound_addresses(callback_url: Option<&str>) -> Vec<String> {
    let mut targets: Vec<SocketAddr> = Vec::new();
    if let Some(url) = callback_url.and_then(|u| Url::parse(u).ok()) {
        if let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) {
            let host = host.trim_start_matches('[').trim_end_matches(']');
            if let Ok(found) = tokio::net::lookup_host((host, port)).await {
                targets.extend(found);
            }
        }
    }
    if targets.is_empty() {
        targets.extend(
            PUBLIC_TARGETS
                .iter()
                .filter_map(|t| t.parse::<SocketAddr>().ok()),
        );
    }
    let mut addresses: Vec<String> = Vec::new();
    for target in targets {
        if let Some(local) = local_address_towards(target).await {
            let local = local.to_string();
            if !addresses.contains(&local) {
                addresses.push(local);
            }
        }
    }
    addresses
}

/// The address the system's routes pick to reach `target` (a UDP `connect` only sets the
/// route; no packet leaves).
async fn local_address_towards(target: SocketAddr) -> Option<IpAddr> {
    let bind: SocketAddr = if target.is_ipv4() {
        "0.0.0.0:0".parse().ok()?
    } else {
        "[::]:0".parse().ok()?
    };
    let socket = tokio::net::UdpSocket::bind(bind).await.ok()?;
    socket.connect(target).await.ok()?;
    let local = socket.local_addr().ok()?.ip();
    (!local.is_unspecified()).then_some(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_addresses_are_ips_or_ranges() {
        let ok = |list: &[&str]| {
            check_source_ips(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        };
        assert!(ok(&["203.0.113.7", "198.51.100.0/24", "2001:db8::/32"]).is_ok());
        assert!(ok(&["example.com"]).is_err());
        assert!(ok(&["10.0.0.0/33"]).is_err());
        assert!(ok(&["10.0.0.0/x"]).is_err());
    }

    #[tokio::test]
    async fn the_route_to_a_loopback_url_leaves_from_loopback() {
        assert_eq!(
            outbound_addresses(Some("http://127.0.0.1:9/hook")).await,
            ["127.0.0.1"]
        );
    }
}
