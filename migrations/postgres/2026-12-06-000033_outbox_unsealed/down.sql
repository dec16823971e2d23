DROP INDEX outbox_unsealed;
