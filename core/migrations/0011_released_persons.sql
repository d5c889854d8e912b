-- Satchel on-device schema, version 11 (decision D92): the counts of persons a release held
-- (JSON: [{first, last, zone, key, shown}]), so that later reports are audited against them.
-- Persons are distinct counts, not sums of daily counts, so they are kept apart from `cells`.
-- Releases made before this version have none.
ALTER TABLE report_release ADD COLUMN persons BLOB;
