-- Duplicate detection within an instance (internal/dedup): the blocking keys
-- of persons, the candidate pairs the periodic job finds for the coordinator,
-- and reversible merges. Types follow the rules in store.go.

-- Blocking keys of a person: vault.BlindIndex("person.dedup", key) over keys
-- built from the linkage engine's normal forms (phonetic code of a family-name
-- word + birth year, of the first given name + month and day, the full birth
-- date, the sorted pair of phonetic codes, the first letters + year, a
-- document number). A key is a keyed HMAC: the table holds no name, date or
-- phonetic code in clear. Kept apart from person_index so that the case
-- file's rebuild of its own index on an edit does not drop them; the job
-- refreshes them from the decrypted person.
CREATE TABLE person_dedup_keys (
	person_id TEXT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
	value     BLOB NOT NULL,
	PRIMARY KEY (value, person_id)
);
CREATE INDEX person_dedup_keys_person ON person_dedup_keys (person_id);

-- A merged person keeps its row and its sealed data (so an undo restores it
-- exactly) and points at the person it was merged into. No foreign key: a
-- reference inside one table would order rows within it on restore.
ALTER TABLE persons ADD COLUMN merged_into TEXT;

-- Candidate pairs for the coordinator's review: person_a < person_b, the
-- engine's match probability, the field-by-field evidence as codes (never a
-- value), and the decision. The job updates score, evidence and seen_at of a
-- pair it finds again and never reopens a decided one.
CREATE TABLE duplicate_candidates (
	id         TEXT PRIMARY KEY,
	person_a   TEXT NOT NULL REFERENCES persons (id),
	person_b   TEXT NOT NULL REFERENCES persons (id),
	score      DOUBLE PRECISION NOT NULL,
	evidence   TEXT NOT NULL DEFAULT '',
	state      TEXT NOT NULL DEFAULT 'open', -- open | merged | dismissed
	found_at   TEXT NOT NULL,
	seen_at    TEXT NOT NULL,
	decided_at TEXT,
	decided_by TEXT NOT NULL DEFAULT '',
	UNIQUE (person_a, person_b)
);
CREATE INDEX duplicate_candidates_state ON duplicate_candidates (state, score);

-- A merge: the merged person's cases now belong to the survivor. The reason
-- is free text that may name the person, so it is sealed with the survivor's
-- data key (AAD person_merges/<id>/reason); undone_at marks an undo.
CREATE TABLE person_merges (
	id            TEXT PRIMARY KEY,
	candidate_id  TEXT NOT NULL DEFAULT '',
	survivor_id   TEXT NOT NULL REFERENCES persons (id),
	merged_id     TEXT NOT NULL REFERENCES persons (id),
	key_id        TEXT NOT NULL REFERENCES data_keys (id),
	reason_enc    BLOB NOT NULL,
	merged_by     TEXT NOT NULL,
	merged_at     TEXT NOT NULL,
	undo_reason_enc BLOB,
	undone_by     TEXT NOT NULL DEFAULT '',
	undone_at     TEXT
);
CREATE INDEX person_merges_persons ON person_merges (survivor_id, merged_id);

-- The cases a merge re-pointed, with the person each pointed at before, so
-- that an undo puts every case back exactly.
CREATE TABLE person_merge_cases (
	merge_id      TEXT NOT NULL REFERENCES person_merges (id),
	case_id       TEXT NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	old_person_id TEXT NOT NULL,
	PRIMARY KEY (merge_id, case_id)
);
