//! The tables, for both SQLite and PostgreSQL.

diesel::table! {
    cases (id) {
        id -> BigInt,
        reference -> Text,
        state -> Text,
        regime -> Text,
        channel -> Text,
        location -> Text,
        requester_name -> Text,
        requester_email -> Text,
        agent_name -> Nullable<Text>,
        description -> Nullable<Text>,
        received_on -> Nullable<Date>,
        due_on -> Nullable<Date>,
        submitted_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        assignee_id -> Nullable<BigInt>,
        closure -> Nullable<Text>,
        duplicate_of -> Nullable<BigInt>,
        agent_email -> Nullable<Text>,
        reduced_at -> Nullable<Timestamp>,
        closed_on -> Nullable<Date>,
    }
}

diesel::table! {
    case_turnaround_counts (regime, closed_month, days) {
        regime -> Text,
        closed_month -> Text,
        days -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    case_right_counts (state, right_key, shard) {
        state -> Text,
        right_key -> Text,
        shard -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    case_due_counts (state, due_on, shard) {
        state -> Text,
        due_on -> Date,
        shard -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    case_state_counts (state, shard) {
        state -> Text,
        shard -> BigInt,
        n -> BigInt,
    }
}

diesel::table! {
    case_rights (id) {
        id -> BigInt,
        case_id -> BigInt,
        right_key -> Text,
        details -> Text,
        outcome -> Nullable<Text>,
        outcome_note -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    case_events (id) {
        id -> BigInt,
        case_id -> BigInt,
        kind -> Text,
        occurred_at -> Timestamp,
        effective_on -> Nullable<Date>,
        actor -> Text,
        detail -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        case_id -> Nullable<BigInt>,
        template -> Text,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox_attempts (id) {
        id -> BigInt,
        outbox_id -> BigInt,
        attempted_at -> Timestamp,
        succeeded -> Bool,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Nullable<Text>,
        active -> Bool,
        failed_logins -> Integer,
        locked_until -> Nullable<Timestamp>,
        session_epoch -> Integer,
        created_at -> Timestamp,
        last_login_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    case_notes (id) {
        id -> BigInt,
        case_id -> BigInt,
        author_id -> Nullable<BigInt>,
        author_token_id -> Nullable<BigInt>,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_replies (id) {
        id -> BigInt,
        case_id -> BigInt,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    documents (id) {
        id -> BigInt,
        case_id -> BigInt,
        kind -> Text,
        content_type -> Text,
        byte_size -> BigInt,
        nonce -> Binary,
        ciphertext -> Binary,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    verification_policies (right_key, regime) {
        right_key -> Text,
        regime -> Text,
        level -> Text,
    }
}

diesel::table! {
    identity_questions (id) {
        id -> BigInt,
        case_id -> BigInt,
        question -> Text,
        answer -> Nullable<Text>,
        asked_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        name -> Text,
        token_hash -> Text,
        scopes -> Text,
        rate_per_minute -> Integer,
        created_by -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        id -> BigInt,
        url -> Text,
        events -> Text,
        secret -> Text,
        active -> Bool,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        endpoint_id -> BigInt,
        message_id -> Text,
        event_type -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        last_status -> Nullable<Integer>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    admin_events (id) {
        id -> BigInt,
        kind -> Text,
        occurred_at -> Timestamp,
        actor -> Text,
        detail -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    job_runs (name) {
        name -> Text,
        last_run_on -> Date,
        last_slot -> BigInt,
    }
}

diesel::table! {
    drp_agents (id) {
        id -> BigInt,
        agent_id -> Text,
        name -> Text,
        verify_key -> Text,
        token_hash -> Nullable<Text>,
        paired_at -> Nullable<Timestamp>,
        active -> Bool,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    drp_requests (id) {
        id -> BigInt,
        request_id -> Text,
        agent_id -> BigInt,
        case_id -> BigInt,
        agent_request_id -> Nullable<Text>,
        exercise -> Text,
        regime -> Nullable<Text>,
        status_callback -> Nullable<Text>,
        message_hash -> Text,
        last_told -> Nullable<Text>,
        received_at -> Timestamp,
    }
}

diesel::table! {
    calendar_days (calendar, day) {
        calendar -> Text,
        day -> Date,
        holiday -> Nullable<Text>,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    org_texts (key) {
        key -> Text,
        body -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    drp_callbacks (id) {
        id -> BigInt,
        drp_request_id -> BigInt,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        last_status -> Nullable<Integer>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(case_rights -> cases (case_id));
diesel::joinable!(case_events -> cases (case_id));
diesel::joinable!(outbox_attempts -> outbox (outbox_id));
diesel::joinable!(cases -> users (assignee_id));
diesel::joinable!(case_notes -> cases (case_id));
diesel::joinable!(case_notes -> users (author_id));
diesel::joinable!(case_replies -> cases (case_id));
diesel::joinable!(documents -> cases (case_id));

diesel::table! {
    login_throttle (user_id, client) {
        user_id -> BigInt,
        client -> Text,
        failures -> Integer,
        blocked_until -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_seal (id) {
        id -> Integer,
        key_check -> Text,
        sealed_at -> Timestamp,
    }
}

diesel::table! {
    systems (id) {
        id -> BigInt,
        name -> Text,
        owner_email -> Text,
        rights -> Text,
        external_recipient -> Bool,
        retention_note -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tasks (id) {
        id -> BigInt,
        case_id -> BigInt,
        system_id -> BigInt,
        right_key -> Text,
        created_at -> Timestamp,
        target_on -> Date,
        answer -> Nullable<Text>,
        basis -> Nullable<Text>,
        note -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
        answered_by -> Nullable<Text>,
        chased_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    links (id) {
        id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        case_id -> Nullable<BigInt>,
        task_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        spent_at -> Nullable<Timestamp>,
        user_id -> Nullable<BigInt>,
        decision -> Nullable<Text>,
    }
}

diesel::table! {
    wrapped_keys (name) {
        name -> Text,
        sealed -> Text,
    }
}

diesel::table! {
    suppression (address_hash) {
        address_hash -> Text,
        reason -> Text,
        added_on -> Date,
    }
}

diesel::table! {
    case_answers (case_id) {
        case_id -> BigInt,
        sections -> Text,
        composed_at -> Timestamp,
    }
}

diesel::table! {
    task_files (id) {
        id -> BigInt,
        task_id -> BigInt,
        case_id -> BigInt,
        name -> Text,
        bytes -> BigInt,
        sha256 -> Text,
        nonce -> Binary,
        ciphertext -> Binary,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    packages (id) {
        id -> BigInt,
        case_id -> BigInt,
        bytes -> BigInt,
        sha256 -> Text,
        nonce -> Binary,
        ciphertext -> Binary,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        downloads -> Integer,
    }
}

diesel::table! {
    case_texts (case_id, text_key) {
        case_id -> BigInt,
        text_key -> Text,
        body -> Text,
    }
}

diesel::joinable!(task_files -> tasks (task_id));
diesel::joinable!(tasks -> cases (case_id));
diesel::joinable!(tasks -> systems (system_id));
diesel::joinable!(links -> tasks (task_id));
diesel::joinable!(links -> users (user_id));
diesel::joinable!(login_throttle -> users (user_id));

diesel::joinable!(case_notes -> api_tokens (author_token_id));
diesel::joinable!(webhook_deliveries -> webhook_endpoints (endpoint_id));
diesel::joinable!(drp_requests -> drp_agents (agent_id));
diesel::joinable!(drp_requests -> cases (case_id));
diesel::joinable!(drp_callbacks -> drp_requests (drp_request_id));

diesel::allow_tables_to_appear_in_same_query!(
    calendar_days,
    org_texts,
    drp_agents,
    drp_requests,
    drp_callbacks,
    api_tokens,
    webhook_endpoints,
    webhook_deliveries,
    login_throttle,
    cases,
    case_rights,
    case_events,
    outbox,
    outbox_attempts,
    users,
    case_notes,
    job_runs,
    case_replies,
    documents,
    verification_policies,
    identity_questions,
    admin_events,
    audit_seal,
    systems,
    tasks,
    links,
    wrapped_keys,
    suppression,
    case_answers,
    task_files,
    packages,
    case_texts,
);
