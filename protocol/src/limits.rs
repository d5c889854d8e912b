//! Every size and count the protocol accepts. Both sides check them; the server refuses more.

/// Records in one segment.
pub const MAX_RECORDS_PER_SEGMENT: usize = 2_000;
/// One record's own encoding.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;
/// A segment's encoded records before compression (also the decompression bound).
pub const MAX_PLAINTEXT_BYTES: usize = 4 * 1024 * 1024;
/// A sealed segment.
pub const MAX_SEALED_BYTES: usize = 1024 * 1024;
/// Segments in one push request.
pub const MAX_SEGMENTS_PER_PUSH: usize = 32;
/// A request body.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Segments in one pull page.
pub const MAX_SEGMENTS_PER_PAGE: usize = 64;
/// A device label.
pub const MAX_LABEL_CHARS: usize = 80;
