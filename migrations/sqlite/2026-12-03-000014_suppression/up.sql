-- Keys made by the app itself, stored encrypted with the data key (so a
-- copy of the database alone cannot use them), re-encrypted when it changes.
CREATE TABLE wrapped_keys (
    name TEXT PRIMARY KEY,
    sealed TEXT NOT NULL
);

-- People who must not be contacted again or whose data was erased: a keyed
-- hash of the normalised address, why and since when; nothing else.
CREATE TABLE suppression (
    address_hash TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    added_on DATE NOT NULL
);
