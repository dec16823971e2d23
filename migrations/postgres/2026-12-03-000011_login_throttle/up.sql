-- Failed logins per account and client address: growing delays for the
-- address that guesses, instead of an account lock anyone could trigger.
CREATE TABLE login_throttle (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client TEXT NOT NULL,
    failures INTEGER NOT NULL,
    blocked_until TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, client)
);
