//! Staff sessions: an encrypted, signed cookie (so app nodes stay
//! stateless) holding the user's id, the account's session epoch and the
//! times of login and last request. Every staff request reloads the account,
//! so disabling it, changing its password or logging out (which bumps the
//! epoch) ends its sessions at once; idle and absolute timeouts are checked
//! here on the server, not left to the cookie's expiry.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::{web, FromRequest, HttpRequest};

use crate::app::AppContext;
use crate::db::users::{User, UserId};
use crate::web::WebError;

const USER: &str = "uid";
const EPOCH: &str = "epoch";
const LOGIN_AT: &str = "login_at";
const SEEN_AT: &str = "seen_at";
/// The session's own CSRF token: a form token from another session (or
/// one planted in this browser's cookies) does not pass.
const CSRF: &str = "csrf";

/// The logged-in staff member. Extracting it from a request that has no
/// valid session answers with a redirect to the login page.
pub struct Staff {
    pub user: User,
    /// The token every form of this session carries.
    pub csrf_token: String,
}

impl Staff {
    /// Refuses (403) a form that does not carry this session's token.
    pub fn verify_csrf(&self, submitted: &str) -> Result<(), WebError> {
        if !submitted.is_empty() && crate::secret::constant_time_eq(&self.csrf_token, submitted) {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }

    /// Refuses (403) unless the user may work cases.
    pub fn must_work(&self) -> Result<(), WebError> {
        if self.user.role.can_work_cases() {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }

    /// Refuses (403) unless the user is an admin.
    pub fn must_administer(&self) -> Result<(), WebError> {
        if self.user.role.can_administer() {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }
}

/// Starts a session for `user` (after login or setting a password).
pub fn start(session: &Session, user: &User, now: i64) -> Result<(), WebError> {
    session.renew(); // a fresh cookie: no session fixation
    let insert = |k: &str, v: i64| {
        session
            .insert(k, v)
            .map_err(|e| WebError::Internal(anyhow::anyhow!("session: {e}")))
    };
    insert(USER, user.id.0)?;
    insert(EPOCH, user.session_epoch.into())?;
    insert(LOGIN_AT, now)?;
    insert(SEEN_AT, now)?;
    session
        .insert(CSRF, crate::secret::new_token().0)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("session: {e}")))
}

/// Where a logged-out request goes back to after login: only our own
/// staff paths, never another site.
fn return_path(req: &HttpRequest) -> String {
    let path = req.path();
    let query = req.query_string();
    if path.starts_with("/staff") && req.method() == actix_web::http::Method::GET {
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    } else {
        "/staff".to_owned()
    }
}

impl FromRequest for Staff {
    type Error = WebError;
    type Future = Pin<Box<dyn Future<Output = Result<Staff, WebError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let login = || WebError::LoginRequired(return_path(&req));
            let session = req.get_session();
            let ctx = req
                .app_data::<web::Data<AppContext>>()
                .cloned()
                .ok_or_else(|| WebError::Internal(anyhow::anyhow!("no app context")))?;
            let get = |k: &str| session.get::<i64>(k).ok().flatten();
            let (Some(uid), Some(epoch), Some(login_at), Some(seen_at)) =
                (get(USER), get(EPOCH), get(LOGIN_AT), get(SEEN_AT))
            else {
                return Err(login());
            };
            let now = ctx.clock.now().timestamp();
            let staff = &ctx.settings.staff;
            let idle = i64::from(staff.idle_timeout_minutes) * 60;
            let absolute = i64::from(staff.absolute_timeout_hours) * 3600;
            if now - seen_at > idle || now - login_at > absolute {
                session.purge();
                return Err(login());
            }
            let user =
                web::block(move || crate::service::accounts::user(&ctx, UserId(uid))).await??;
            match user {
                Some(user) if user.active && i64::from(user.session_epoch) == epoch => {
                    let _ = session.insert(SEEN_AT, now);
                    // Sessions begun before tokens were bound get one now.
                    let csrf_token = match session.get::<String>(CSRF).ok().flatten() {
                        Some(t) if crate::secret::looks_like_token(&t) => t,
                        _ => {
                            let t = crate::secret::new_token().0;
                            let _ = session.insert(CSRF, t.clone());
                            t
                        }
                    };
                    Ok(Staff { user, csrf_token })
                }
                _ => {
                    session.purge();
                    Err(login())
                }
            }
        })
    }
}
