-- Schema version 1 of the sandbox's data file. Records are JSON documents keyed by the
-- merchant (API key hash), the merchant's generation (a merchant evicted and created
-- again starts a new one), their family and their key; `ord` keeps insertion order
-- (the sequence number of retained families).
CREATE TABLE meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    data TEXT NOT NULL
);
CREATE TABLE merchants (
    id TEXT NOT NULL,
    generation INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (id, generation)
) WITHOUT ROWID;
CREATE TABLE records (
    merchant TEXT NOT NULL,
    generation INTEGER NOT NULL,
    family TEXT NOT NULL,
    key TEXT NOT NULL,
    ord INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (merchant, generation, family, key)
) WITHOUT ROWID;
CREATE INDEX records_by_order ON records (merchant, generation, family, ord);
-- Customer tokens and FlexSDK auth keys: one set per sandbox.
CREATE TABLE globals (
    family TEXT NOT NULL,
    key TEXT NOT NULL,
    ord INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (family, key)
) WITHOUT ROWID;
