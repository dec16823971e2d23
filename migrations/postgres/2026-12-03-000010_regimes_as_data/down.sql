ALTER TABLE cases ADD CONSTRAINT cases_regime_check
    CHECK (regime IN ('uk-gdpr', 'eu-gdpr', 'ccpa'));
ALTER TABLE verification_policies ADD CONSTRAINT verification_policies_regime_check
    CHECK (regime IN ('uk-gdpr', 'eu-gdpr', 'ccpa'));
