DROP TABLE verification_policies;
