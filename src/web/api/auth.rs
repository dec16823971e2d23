//! Who calls the API: the bearer token, checked against its hash, held to
//! its own calls a minute.

use std::collections::HashMap;
use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;

use actix_governor::governor::clock::{Clock, DefaultClock};
use actix_governor::governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use actix_web::{web, FromRequest, HttpRequest};
use parking_lot::Mutex;

use super::ApiError;
use crate::app::AppContext;
use crate::db::api_tokens::ApiToken;
use crate::domain::api_token::Scope;
use crate::domain::audit::Actor;
use crate::service::api_tokens;

/// Each token's limiter, made on its first call (and made again when its
/// rate changes). Shared by every worker thread.
#[derive(Default)]
pub struct TokenLimits {
    limiters: Mutex<HashMap<i64, (u32, DefaultDirectRateLimiter)>>,
}

impl TokenLimits {
    /// Ok, or the seconds to wait.
    fn check(&self, token: &ApiToken) -> Result<(), u64> {
        let mut limiters = self.limiters.lock();
        let rate = token.rate_per_minute.max(1);
        let entry = limiters
            .entry(token.id.0)
            .or_insert_with(|| (rate, RateLimiter::direct(quota(rate))));
        if entry.0 != rate {
            *entry = (rate, RateLimiter::direct(quota(rate)));
        }
        entry.1.check().map_err(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        })
    }
}

fn quota(per_minute: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN))
}

/// The token a call came with.
pub struct Caller {
    pub token: ApiToken,
}

impl Caller {
    /// Refuses the call unless the token has `scope`.
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        if self.token.scopes.allows(scope) {
            Ok(())
        } else {
            Err(ApiError::Scope(scope))
        }
    }

    /// The token, as the audit trails record it.
    pub fn actor(&self) -> Actor {
        Actor::ApiToken(self.token.id.0)
    }
}

/// The token in `Authorization: Bearer ...`, if the header holds one.
fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get("authorization")?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let presented = bearer(req);
        let ctx = req.app_data::<web::Data<AppContext>>().cloned();
        let limits = req.app_data::<web::Data<TokenLimits>>().cloned();
        Box::pin(async move {
            let presented = presented.ok_or(ApiError::NoToken)?;
            let (Some(ctx), Some(limits)) = (ctx, limits) else {
                return Err(ApiError::Internal(anyhow::anyhow!("API state missing")));
            };
            let token = web::block(move || api_tokens::authenticate_now(&ctx, &presented))
                .await??
                .ok_or(ApiError::BadToken)?;
            limits.check(&token).map_err(ApiError::RateLimited)?;
            Ok(Caller { token })
        })
    }
}
