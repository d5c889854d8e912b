-- Satchel on-device schema, version 7: a release is recorded if and only if its files exist
-- (decision D78). Rows written by one `satchel report` (a report and, with --compare, its
-- period before) share a batch, the release's id as the manager sees it. A batch is 'pending'
-- from its audit until its files are renamed into place, then 'released'; a manager may
-- withdraw a release that never left the office, and the audit then forgets it.
ALTER TABLE report_release ADD COLUMN batch INTEGER;
ALTER TABLE report_release ADD COLUMN state TEXT NOT NULL DEFAULT 'released'
    CHECK (state IN ('pending', 'released', 'withdrawn'));
-- JSON: [{dest, temp}], the files the release is written to and their temporary names.
ALTER TABLE report_release ADD COLUMN files TEXT NOT NULL DEFAULT '[]';
ALTER TABLE report_release ADD COLUMN withdrawn_at INTEGER;      -- Unix seconds
ALTER TABLE report_release ADD COLUMN withdrawn_note TEXT;       -- who, and why
UPDATE report_release SET batch = id;
CREATE INDEX report_release_batch ON report_release (batch);
-- Temporary files made for a release whose report is not recorded yet (being audited): a
-- process stopped then leaves them for the next settle to remove.
CREATE TABLE release_staging (
    temp TEXT PRIMARY KEY,
    dest TEXT NOT NULL
);
