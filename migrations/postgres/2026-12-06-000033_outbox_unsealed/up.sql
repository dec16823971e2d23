-- Bodies written before sealing existed are sealed at start-up. Finding
-- them read every outbox row, bodies and all (gigabytes at a million
-- cases), at every start. This index holds only such rows, so it is empty
-- once they are sealed and the start-up query reads nothing.
CREATE INDEX outbox_unsealed ON outbox (id)
WHERE body_text NOT LIKE 'sealed:v1:%' OR body_html NOT LIKE 'sealed:v1:%';
