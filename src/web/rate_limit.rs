//! Rate limits on public form submissions, per client address, so the form
//! cannot be used to flood the database or someone's inbox.

use std::net::IpAddr;

use actix_governor::governor::clock::{Clock, DefaultClock, QuantaInstant};
use actix_governor::governor::NotUntil;
use actix_governor::{
    GovernorConfig, GovernorConfigBuilder, KeyExtractor, SimpleKeyExtractionError,
};
use actix_web::dev::ServiceRequest;
use actix_web::http::Method;
use actix_web::{HttpResponse, HttpResponseBuilder};

use super::errors::error_page;
use crate::config::ServerSettings;

/// The client's address: the peer, or, when the peer is a trusted reverse
/// proxy, the last address in `X-Forwarded-For` that is not one. IPv6
/// clients are grouped by /56, the prefix one customer usually holds.
#[derive(Debug, Clone)]
pub struct ClientIp {
    trusted_proxies: Vec<IpAddr>,
}

impl ClientIp {
    pub fn new(trusted_proxies: Vec<IpAddr>) -> Self {
        ClientIp { trusted_proxies }
    }

    pub fn client_of(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        let mut ip = peer;
        if self.trusted_proxies.contains(&peer) {
            if let Some(header) = forwarded_for {
                let hops: Vec<IpAddr> = header
                    .split(',')
                    .filter_map(|h| h.trim().parse().ok())
                    .collect();
                if let Some(client) = hops
                    .iter()
                    .rev()
                    .find(|h| !self.trusted_proxies.contains(h))
                {
                    ip = *client;
                }
            }
        }
        if let IpAddr::V6(v6) = ip {
            let mut octets = v6.octets();
            octets[7..].fill(0);
            ip = IpAddr::V6(octets.into());
        }
        ip
    }
}

impl ClientIp {
    /// The client of a request a handler got ("unknown" without a peer).
    pub fn of_request(&self, req: &actix_web::HttpRequest) -> String {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        req.peer_addr()
            .map(|peer| self.client_of(peer.ip(), forwarded).to_string())
            .unwrap_or_else(|| "unknown".into())
    }
}

impl KeyExtractor for ClientIp {
    type Key = IpAddr;
    type KeyExtractionError = SimpleKeyExtractionError<&'static str>;

    fn extract(&self, req: &ServiceRequest) -> Result<IpAddr, Self::KeyExtractionError> {
        let peer = req
            .peer_addr()
            .map(|a| a.ip())
            .ok_or_else(|| SimpleKeyExtractionError::new("no client address"))?;
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        Ok(self.client_of(peer, forwarded))
    }

    fn exceed_rate_limit_response(
        &self,
        negative: &NotUntil<QuantaInstant>,
        mut response: HttpResponseBuilder,
    ) -> HttpResponse {
        let wait = negative
            .wait_time_from(DefaultClock::default().now())
            .as_secs()
            .max(1);
        log::warn!("rate limit reached for a client on a public form");
        response
            .insert_header(("Retry-After", wait.to_string()))
            .content_type("text/html; charset=utf-8")
            .body(error_page(
                "Too many requests",
                &format!(
                    "You have sent a lot of forms in a short time. Please wait {wait} seconds and try again. Nothing you already sent has been lost."
                ),
            ))
    }
}

/// The limiter for POST requests, from the server settings.
pub fn config(
    server: &ServerSettings,
) -> GovernorConfig<ClientIp, actix_governor::governor::middleware::NoOpMiddleware<QuantaInstant>> {
    let per_minute = u64::from(server.rate_limit_per_minute.max(1));
    GovernorConfigBuilder::default()
        .period(std::time::Duration::from_millis(60_000 / per_minute))
        .burst_size(server.rate_limit_burst.max(1))
        .methods(vec![Method::POST])
        .key_extractor(ClientIp::new(server.trusted_proxies.clone()))
        .finish()
        .expect("a non-zero period and burst make a valid limiter")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let extractor = ClientIp::new(vec![ip("10.0.0.1")]);
        assert_eq!(
            extractor.client_of(ip("203.0.113.7"), Some("198.51.100.1")),
            ip("203.0.113.7")
        );
        assert_eq!(
            extractor.client_of(ip("10.0.0.1"), Some("198.51.100.1")),
            ip("198.51.100.1")
        );
        // A client cannot hide behind a forged first hop.
        assert_eq!(
            extractor.client_of(ip("10.0.0.1"), Some("1.2.3.4, 198.51.100.1, 10.0.0.1")),
            ip("198.51.100.1")
        );
        assert_eq!(
            extractor.client_of(ip("10.0.0.1"), Some("garbage")),
            ip("10.0.0.1")
        );
        assert_eq!(extractor.client_of(ip("10.0.0.1"), None), ip("10.0.0.1"));
    }

    #[test]
    fn ipv6_clients_are_grouped_by_prefix() {
        let extractor = ClientIp::new(vec![]);
        assert_eq!(
            extractor.client_of(ip("2001:db8:1:2:3:4:5:6"), None),
            extractor.client_of(ip("2001:db8:1:2:ffff:4:5:7"), None)
        );
    }
}
