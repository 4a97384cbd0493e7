//! The one migration set, in portable SQL (BIGINT, TEXT; dates as ISO text, instants as
//! epoch milliseconds). Tenant-scoped tables lead their keys with `tenant_id` (the root
//! organisation), so the schema can be distributed by tenant on Citus later.

use crate::db::Store;
use crate::Result;

/// (version, name, statements for both, extra statements for PostgreSQL only; SQLite's own
/// extras are in `SQLITE_ONLY`).
/// Append only: never edit a migration that has shipped.
pub const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (1, "roster, users, audit", V1, ""),
    (2, "subtree prefix index", "", V2_PG),
    (3, "covering index for subtree counts", V3, ""),
    (4, "proposals", V4, ""),
    (5, "proposal search index", V5, ""),
    (6, "proposal attachments", V6, ""),
    (7, "search log for the derived index", V7, ""),
    (8, "notices", V8, ""),
    (9, "activities and duty rules", V9, ""),
    (10, "citizen requests", V10, ""),
    (11, "request reply times", V11, ""),
    (12, "residents' evaluation of delegates", V12, ""),
    (13, "delegate studios and reception rota", V13, ""),
    (14, "running counts of requests", V14, ""),
    (15, "research topics and what activities came from", V15, ""),
    (16, "attachments of proposals, activities and requests", V16, ""),
    (17, "meetings, attendance, votes and secret ballots", V17, V17_PG),
    (18, "server secrets shared by every server of one database", V18, ""),
    (19, "agenda, deliberation, inquiries, resolutions and paper ballots", V19, ""),
    (20, "elections: posts, nominations, candidate lists, rounds, the elected", V20, ""),
];

/// Statements for SQLite only, applied like the PostgreSQL-only ones.
const SQLITE_ONLY: &[(i64, &str)] = &[(17, V17_SQLITE)];

/// Meetings, who is expected and present, and votes. The roll of who voted and the ballot box
/// are apart (see `meetings.rs`); on SQLite both are `WITHOUT ROWID`, so their rows lie in key
/// order, not in the order of voting.
const V17: &str = r#"
CREATE TABLE meetings (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    body_id BIGINT NOT NULL,
    term_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    on_date TEXT NOT NULL,
    place TEXT NOT NULL,
    checkin_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX meetings_by_body ON meetings (tenant_id, body_id, on_date);
CREATE INDEX meetings_by_id ON meetings (id);
CREATE TABLE meeting_attendees (
    tenant_id BIGINT NOT NULL,
    meeting_id BIGINT NOT NULL,
    delegate_id BIGINT NOT NULL,
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    checked_in_at BIGINT,
    checked_in_by TEXT,
    PRIMARY KEY (tenant_id, meeting_id, delegate_id)
);
CREATE TABLE votes (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    meeting_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    items TEXT NOT NULL,
    max_choices BIGINT NOT NULL,
    method TEXT NOT NULL,
    secret BIGINT NOT NULL,
    status TEXT NOT NULL,
    result TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX votes_by_meeting ON votes (tenant_id, meeting_id);
CREATE INDEX votes_by_id ON votes (id);
"#;

/// Secrets every server of one database must share (the key that signs ballot passes); made
/// at first use, never shown.
const V18: &str = r#"
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
"#;

/// The work of a meeting besides its votes: agenda items (reports, draft resolutions and their
/// life), each group's deliberation, inquiries; a vote's mode (electronic or paper) and the
/// tellers' two entries of paper ballots.
const V19: &str = r#"
CREATE TABLE agenda_items (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    meeting_id BIGINT NOT NULL,
    position BIGINT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    presenter TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    distributed_at BIGINT,
    vote_id BIGINT,
    adopted_text TEXT,
    published_at BIGINT,
    report TEXT,
    review TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX agenda_by_meeting ON agenda_items (tenant_id, meeting_id, position);
CREATE INDEX agenda_by_id ON agenda_items (id);
CREATE TABLE deliberations (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    meeting_id BIGINT NOT NULL,
    item_id BIGINT NOT NULL,
    group_name TEXT NOT NULL,
    minutes TEXT NOT NULL,
    opinions TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX deliberations_per_group ON deliberations (tenant_id, item_id, group_name);
CREATE INDEX deliberations_by_meeting ON deliberations (tenant_id, meeting_id);
CREATE TABLE inquiries (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    meeting_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    mode TEXT NOT NULL,
    delegate_id BIGINT NOT NULL,
    addressee TEXT NOT NULL,
    question TEXT NOT NULL,
    status TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT,
    answered_at BIGINT,
    published_at BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX inquiries_by_meeting ON inquiries (tenant_id, meeting_id);
CREATE INDEX inquiries_by_id ON inquiries (id);
ALTER TABLE votes ADD COLUMN mode TEXT NOT NULL DEFAULT 'electronic';
ALTER TABLE meeting_attendees ADD COLUMN activity_id BIGINT;
-- counting reads the box grouped by pattern and the attendance grouped by role, each from
-- an index alone (a million ballots, a million voters present)
CREATE INDEX ballots_by_choices ON ballots (tenant_id, vote_id, choices);
CREATE INDEX attendees_by_role ON meeting_attendees (tenant_id, meeting_id, role, status);
CREATE TABLE paper_entries (
    tenant_id BIGINT NOT NULL,
    vote_id BIGINT NOT NULL,
    entry TEXT NOT NULL,
    teller_id BIGINT,
    teller_name TEXT NOT NULL,
    data TEXT NOT NULL,
    entered_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, vote_id, entry)
);
"#;

/// Elections (issue 6). A round held on phones is a vote of kind `election` at a meeting (its
/// secrecy is the ballot box's); a paper round keeps the tellers' counting request. The result
/// of each round is the counting engine's, stored as it came.
const V20: &str = r#"
CREATE TABLE elections (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    body_id BIGINT NOT NULL,
    term_id BIGINT NOT NULL,
    meeting_id BIGINT,
    title TEXT NOT NULL,
    target TEXT NOT NULL,
    method TEXT NOT NULL,
    options TEXT NOT NULL,
    post_order TEXT NOT NULL,
    by_election BIGINT NOT NULL,
    min_size BIGINT NOT NULL,
    status TEXT NOT NULL,
    notice_until TEXT,
    announced_at BIGINT,
    trust_vote TEXT,
    targets TEXT,
    cascade BIGINT NOT NULL DEFAULT 1,
    one_ballot BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX elections_by_body ON elections (tenant_id, body_id, created_at);
CREATE INDEX elections_by_id ON elections (id);
CREATE TABLE election_posts (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    election_id BIGINT NOT NULL,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    roster_post TEXT NOT NULL,
    seats BIGINT NOT NULL,
    slate TEXT NOT NULL,
    constituency TEXT,
    reduced_from BIGINT,
    reduced_by TEXT,
    reduced_note TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX election_posts_by_election ON election_posts (tenant_id, election_id, position);
CREATE TABLE nominations (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    election_id BIGINT NOT NULL,
    post_id BIGINT NOT NULL,
    person_id BIGINT,
    name TEXT NOT NULL,
    category TEXT,
    source TEXT NOT NULL,
    support BIGINT NOT NULL,
    status TEXT NOT NULL,
    review_note TEXT,
    profile TEXT NOT NULL,
    statement TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX nominations_by_election ON nominations (tenant_id, election_id, post_id);
CREATE INDEX nominations_by_id ON nominations (id);
CREATE TABLE election_candidates (
    tenant_id BIGINT NOT NULL,
    election_id BIGINT NOT NULL,
    post_id BIGINT NOT NULL,
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    person_id BIGINT,
    PRIMARY KEY (tenant_id, election_id, post_id, position)
);
CREATE TABLE election_rounds (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    election_id BIGINT NOT NULL,
    post_id BIGINT NOT NULL,
    number BIGINT NOT NULL,
    kind TEXT NOT NULL,
    mode TEXT NOT NULL,
    seats BIGINT NOT NULL,
    candidates TEXT NOT NULL,
    vote_id BIGINT,
    request TEXT,
    result TEXT,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    counted_at BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX election_rounds_by_post ON election_rounds (tenant_id, election_id, post_id, number);
CREATE INDEX election_rounds_by_id ON election_rounds (id);
CREATE TABLE election_exclusions (
    tenant_id BIGINT NOT NULL,
    election_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    name TEXT NOT NULL,
    ground TEXT NOT NULL,
    higher_approved BIGINT NOT NULL,
    meeting_approved BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, election_id, id)
);
CREATE TABLE election_objections (
    tenant_id BIGINT NOT NULL,
    election_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    candidate TEXT NOT NULL,
    text TEXT NOT NULL,
    contact TEXT NOT NULL,
    status TEXT NOT NULL,
    response TEXT,
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    PRIMARY KEY (tenant_id, election_id, id)
);
CREATE TABLE election_elected (
    tenant_id BIGINT NOT NULL,
    election_id BIGINT NOT NULL,
    post_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    votes BIGINT NOT NULL,
    round_id BIGINT NOT NULL,
    person_id BIGINT,
    PRIMARY KEY (tenant_id, election_id, post_id, name)
);
"#;

const V17_SQLITE: &str = r#"
CREATE TABLE vote_roll (
    tenant_id BIGINT NOT NULL,
    vote_id BIGINT NOT NULL,
    delegate_id BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, vote_id, delegate_id)
) WITHOUT ROWID;
CREATE TABLE ballots (
    tenant_id BIGINT NOT NULL,
    vote_id BIGINT NOT NULL,
    id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    choices TEXT NOT NULL,
    voter_id BIGINT,
    PRIMARY KEY (tenant_id, vote_id, id)
) WITHOUT ROWID;
"#;

const V17_PG: &str = r#"
CREATE TABLE vote_roll (
    tenant_id BIGINT NOT NULL,
    vote_id BIGINT NOT NULL,
    delegate_id BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, vote_id, delegate_id)
);
CREATE TABLE ballots (
    tenant_id BIGINT NOT NULL,
    vote_id BIGINT NOT NULL,
    id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    choices TEXT NOT NULL,
    voter_id BIGINT,
    PRIMARY KEY (tenant_id, vote_id, id)
);
"#;

/// One table of attached files for every kind of record (proposals' files move into it).
const V16: &str = r#"
CREATE TABLE attachments (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    owner TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX attachments_by_owner ON attachments (tenant_id, owner, owner_id);
INSERT INTO attachments (tenant_id, id, owner, owner_id, filename, content_type, size, data, uploaded_by, created_at)
    SELECT tenant_id, id, 'proposal', proposal_id, filename, content_type, size, data, uploaded_by, created_at FROM proposal_attachments;
DROP TABLE proposal_attachments;
"#;

/// Research topics (调研课题) made from hotspots or single requests, with their requests; and
/// the links from an activity to the requests, topics and proposals it dealt with.
const V15: &str = r#"
CREATE TABLE research_topics (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    body_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    activity_id BIGINT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX topics_by_body ON research_topics (tenant_id, body_id, status, created_at);
CREATE TABLE topic_requests (
    tenant_id BIGINT NOT NULL,
    topic_id BIGINT NOT NULL,
    request_id BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, topic_id, request_id)
);
CREATE INDEX topic_requests_by_request ON topic_requests (tenant_id, request_id);
CREATE TABLE activity_links (
    tenant_id BIGINT NOT NULL,
    activity_id BIGINT NOT NULL,
    subject TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, activity_id, subject, subject_id)
);
CREATE INDEX activity_links_by_subject ON activity_links (tenant_id, subject, subject_id);
"#;

/// Running counts of requests (see `request_tallies`), filled from the requests when this
/// migration runs; an index that answers "overdue" from the index alone, one for the
/// newest-first list, and one for a request by its id alone (links carry no tenant).
const V14: &str = r#"
CREATE TABLE request_tallies (
    tenant_id BIGINT NOT NULL,
    body_id BIGINT NOT NULL,
    month BIGINT NOT NULL,
    status TEXT NOT NULL,
    category TEXT NOT NULL,
    handler_org_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    closed BIGINT NOT NULL,
    replied BIGINT NOT NULL,
    on_time BIGINT NOT NULL,
    satisfied BIGINT NOT NULL,
    basic BIGINT NOT NULL,
    unsatisfied BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, body_id, month, status, category, handler_org_id)
);
CREATE TABLE request_delegate_tallies (
    tenant_id BIGINT NOT NULL,
    body_id BIGINT NOT NULL,
    month BIGINT NOT NULL,
    delegate_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    closed BIGINT NOT NULL,
    replied BIGINT NOT NULL,
    on_time BIGINT NOT NULL,
    satisfied BIGINT NOT NULL,
    basic BIGINT NOT NULL,
    unsatisfied BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, body_id, month, delegate_id)
);
DROP INDEX requests_by_body;
CREATE INDEX requests_by_body ON requests (tenant_id, body_id, status, created_at, deadline_day);
CREATE INDEX requests_by_time ON requests (tenant_id, body_id, created_at, id);
CREATE INDEX requests_by_id ON requests (id);
"#;

/// Delegate studios with their reception days ("4,14,24") and the rota of delegates who
/// take the days in turn, counted from the day the rota was set.
const V13: &str = r#"
CREATE TABLE studios (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    body_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    days TEXT NOT NULL,
    hours TEXT NOT NULL,
    rota_since TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX studios_by_body ON studios (tenant_id, body_id);
CREATE TABLE studio_rota (
    tenant_id BIGINT NOT NULL,
    studio_id BIGINT NOT NULL,
    position BIGINT NOT NULL,
    delegate_id BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, studio_id, position)
);
"#;

/// Residents' evaluation: a round per body and year; one-time slips (kept as hashes) per
/// delegate; ratings that carry neither the slip nor a time, and a random id, so none can
/// be traced to the person who gave it.
const V12: &str = r#"
CREATE TABLE evaluation_rounds (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    body_id BIGINT NOT NULL,
    term_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    closes_on TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX rounds_by_year ON evaluation_rounds (tenant_id, body_id, year);
CREATE TABLE evaluation_slips (
    code_hash TEXT NOT NULL PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    round_id BIGINT NOT NULL,
    delegate_id BIGINT NOT NULL,
    used BIGINT NOT NULL
);
CREATE INDEX slips_by_delegate ON evaluation_slips (tenant_id, round_id, delegate_id);
CREATE TABLE evaluation_ratings (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    round_id BIGINT NOT NULL,
    delegate_id BIGINT NOT NULL,
    rating TEXT NOT NULL,
    comment TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX ratings_by_delegate ON evaluation_ratings (tenant_id, round_id, delegate_id);
"#;

/// When a request was last replied to and whether in time, for its statistics.
const V11: &str = r#"
ALTER TABLE requests ADD COLUMN replied_at BIGINT;
ALTER TABLE requests ADD COLUMN replied_on_time BIGINT;
"#;

/// Citizen requests and their timeline. The requester's name and phone are kept on the
/// request (shown only to the office and the handler); the tracking code is unique across
/// the database, as the public looks a request up by it alone.
const V10: &str = r#"
CREATE TABLE requests (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    body_id BIGINT NOT NULL,
    code TEXT NOT NULL,
    delegate_id BIGINT,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    place TEXT NOT NULL,
    text TEXT NOT NULL,
    requester_name TEXT,
    requester_phone TEXT,
    status TEXT NOT NULL,
    handler_org_id BIGINT,
    deadline_day BIGINT,
    reopened BIGINT NOT NULL,
    feedback TEXT,
    merged_into BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX requests_by_code ON requests (code);
CREATE INDEX requests_by_body ON requests (tenant_id, body_id, status, created_at);
CREATE INDEX requests_by_handler ON requests (tenant_id, handler_org_id, status);
CREATE TABLE request_events (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    request_id BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    actor_name TEXT NOT NULL,
    step TEXT NOT NULL,
    status TEXT NOT NULL,
    text TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX request_events_by_request ON request_events (tenant_id, request_id, at_ms);
"#;

/// Delegates' activities between meetings (with who took part: delegates, or a group), the
/// body's duty rules and the points of its duty files (see `lianxin_domain::duty`).
const V9: &str = r#"
CREATE TABLE activities (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    body_id BIGINT NOT NULL,
    term_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    on_date TEXT NOT NULL,
    place TEXT NOT NULL,
    summary TEXT NOT NULL,
    notes TEXT NOT NULL,
    outcome TEXT,
    served BIGINT NOT NULL,
    group_id BIGINT,
    recorded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    deleted_at BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX activities_by_term ON activities (tenant_id, term_id, on_date);
CREATE TABLE activity_delegates (
    tenant_id BIGINT NOT NULL,
    activity_id BIGINT NOT NULL,
    delegate_id BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, activity_id, delegate_id)
);
CREATE INDEX activity_delegates_by_delegate ON activity_delegates (tenant_id, delegate_id);
CREATE TABLE duty_rules (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    body_id BIGINT NOT NULL,
    subject TEXT NOT NULL,
    applies_to TEXT NOT NULL,
    min_count BIGINT NOT NULL,
    months BIGINT NOT NULL,
    warn_days BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX duty_rules_by_body ON duty_rules (tenant_id, body_id);
CREATE TABLE duty_points (
    tenant_id BIGINT NOT NULL,
    body_id BIGINT NOT NULL,
    subject TEXT NOT NULL,
    points BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, body_id, subject)
);
"#;

/// Notices to a person (a delegate: their user reads them) or to an organisation (a
/// handling unit: whoever handles for it reads them). Worded when shown.
const V8: &str = r#"
CREATE TABLE notices (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    person_id BIGINT,
    org_id BIGINT,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX notices_by_person ON notices (person_id, read_at);
CREATE INDEX notices_by_org ON notices (tenant_id, org_id, read_at);
"#;

/// Search moved to an index outside the database (tantivy, see `search.rs`); the database
/// keeps the log of which proposals changed, which every server's index reads to catch up.
/// Numbered by the database, not by tenant: one log for all (a reference table on Citus).
const V7: &str = r#"
DROP TABLE proposal_terms;
DROP TABLE proposal_docs;
CREATE TABLE search_log (
    seq BIGINT NOT NULL PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    proposal_id BIGINT NOT NULL
);
"#;

/// Attachments live in the database with everything else (one backup, one transaction).
/// `BYTEA` is PostgreSQL's binary type; SQLite stores the bytes as they are.
const V6: &str = r#"
CREATE TABLE proposal_attachments (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    proposal_id BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX attachments_by_proposal ON proposal_attachments (tenant_id, proposal_id);
"#;

/// The first search index, in the database (replaced by version 7).
const V5: &str = r#"
CREATE TABLE proposal_terms (
    tenant_id BIGINT NOT NULL,
    term TEXT NOT NULL,
    proposal_id BIGINT NOT NULL,
    tf BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, term, proposal_id)
);
CREATE INDEX terms_by_proposal ON proposal_terms (tenant_id, proposal_id);
CREATE TABLE proposal_docs (
    tenant_id BIGINT NOT NULL,
    proposal_id BIGINT NOT NULL,
    len BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, proposal_id)
);
"#;

/// Proposals: the body's proposal settings (R-J4's signers, R-M4's deadlines, whether the
/// congress is in session), the proposals, their signers, handling units and timeline.
const V4: &str = r#"
ALTER TABLE bodies ADD COLUMN min_signers BIGINT NOT NULL DEFAULT 2;
ALTER TABLE bodies ADD COLUMN deadline_days BIGINT NOT NULL DEFAULT 90;
ALTER TABLE bodies ADD COLUMN rehandle_days BIGINT NOT NULL DEFAULT 30;
ALTER TABLE bodies ADD COLUMN session_open BIGINT NOT NULL DEFAULT 0;

CREATE TABLE proposals (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    body_id BIGINT NOT NULL,
    term_id BIGINT NOT NULL,
    number TEXT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    reason TEXT NOT NULL,
    grounds TEXT NOT NULL,
    solution TEXT NOT NULL,
    status TEXT NOT NULL,
    proposer_id BIGINT NOT NULL,
    key_proposal BIGINT NOT NULL DEFAULT 0,
    merged_into BIGINT,
    lead_unit_id BIGINT,
    deadline_day BIGINT,
    replies BIGINT NOT NULL DEFAULT 0,
    result TEXT,
    satisfaction TEXT,
    is_public BIGINT NOT NULL DEFAULT 0,
    submitted_at BIGINT,
    assigned_at BIGINT,
    replied_at BIGINT,
    replied_on_time BIGINT,
    closed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX proposals_by_id ON proposals (id);
CREATE INDEX proposals_by_body ON proposals (tenant_id, body_id, status);
CREATE INDEX proposals_by_unit ON proposals (tenant_id, lead_unit_id, status);

CREATE TABLE proposal_signers (
    tenant_id BIGINT NOT NULL,
    proposal_id BIGINT NOT NULL,
    delegate_id BIGINT NOT NULL,
    role TEXT NOT NULL,
    state TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, proposal_id, delegate_id)
);
CREATE INDEX signers_by_delegate ON proposal_signers (tenant_id, delegate_id);

CREATE TABLE proposal_units (
    tenant_id BIGINT NOT NULL,
    proposal_id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    role TEXT NOT NULL,
    PRIMARY KEY (tenant_id, proposal_id, org_id)
);
CREATE INDEX units_by_org ON proposal_units (tenant_id, org_id);

CREATE TABLE proposal_events (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    proposal_id BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    text TEXT,
    result TEXT,
    satisfaction TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX events_by_proposal ON proposal_events (tenant_id, proposal_id, at_ms);
"#;

/// The organisation page counts people by kind, gender and ethnicity: an index that holds
/// those columns answers it without reading the table.
const V3: &str = "CREATE INDEX people_counts ON people (tenant_id, org_id, kind, gender, ethnicity);";

/// Subtree queries are `path LIKE '/1/5/%'`. PostgreSQL uses a B-tree for a prefix LIKE only
/// with the pattern operator class (whatever the database's collation); SQLite uses the
/// plain index because every connection sets `case_sensitive_like`.
const V2_PG: &str = "CREATE INDEX orgs_by_path_prefix ON orgs (tenant_id, path text_pattern_ops);";

const V1: &str = r#"
CREATE TABLE tenants (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE orgs (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    parent_id BIGINT,
    path TEXT NOT NULL,
    depth BIGINT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    category TEXT NOT NULL,
    code TEXT,
    sort_key BIGINT NOT NULL DEFAULT 0,
    retired_on TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX orgs_by_id ON orgs (id);
CREATE INDEX orgs_by_path ON orgs (tenant_id, path);
CREATE INDEX orgs_by_parent ON orgs (tenant_id, parent_id);
CREATE UNIQUE INDEX orgs_by_code ON orgs (tenant_id, code);

CREATE TABLE people (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    gender TEXT NOT NULL,
    birth_date TEXT,
    ethnicity TEXT NOT NULL,
    education TEXT,
    occupation TEXT,
    phone TEXT,
    address TEXT,
    kind TEXT NOT NULL,
    joined_on TEXT,
    id_number TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, org_id) REFERENCES orgs (tenant_id, id)
);
CREATE INDEX people_by_id ON people (id);
CREATE INDEX people_by_org ON people (tenant_id, org_id);
CREATE INDEX people_by_name ON people (tenant_id, name);
CREATE UNIQUE INDEX people_by_id_number ON people (tenant_id, id_number);

CREATE TABLE bodies (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    org_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    term_years BIGINT NOT NULL,
    min_members_per_delegate BIGINT NOT NULL,
    youth_age_max BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, org_id) REFERENCES orgs (tenant_id, id)
);
CREATE INDEX bodies_by_id ON bodies (id);

CREATE TABLE terms (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    body_id BIGINT NOT NULL,
    number BIGINT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    seats BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, body_id) REFERENCES bodies (tenant_id, id)
);
CREATE INDEX terms_by_id ON terms (id);
CREATE UNIQUE INDEX terms_by_number ON terms (tenant_id, body_id, number);

CREATE TABLE delegate_groups (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    term_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    leader_id BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, term_id) REFERENCES terms (tenant_id, id)
);
CREATE INDEX groups_by_id ON delegate_groups (id);
CREATE UNIQUE INDEX groups_by_name ON delegate_groups (tenant_id, term_id, name);

CREATE TABLE delegates (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    term_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    category TEXT NOT NULL,
    constituency TEXT,
    group_id BIGINT,
    status TEXT NOT NULL,
    status_reason TEXT,
    status_rule TEXT,
    status_note TEXT,
    status_on TEXT,
    status_proposed_by TEXT,
    status_decided_by TEXT,
    origin TEXT NOT NULL,
    elected_on TEXT,
    replaces_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, term_id) REFERENCES terms (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES delegate_groups (tenant_id, id)
);
CREATE INDEX delegates_by_id ON delegates (id);
CREATE UNIQUE INDEX delegates_by_person ON delegates (tenant_id, term_id, person_id);
CREATE INDEX delegates_by_group ON delegates (tenant_id, group_id);
CREATE UNIQUE INDEX delegates_by_replaced ON delegates (tenant_id, replaces_id);

CREATE TABLE committee_members (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    term_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    post TEXT NOT NULL,
    since TEXT NOT NULL,
    until TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, term_id) REFERENCES terms (tenant_id, id),
    FOREIGN KEY (tenant_id, person_id) REFERENCES people (tenant_id, id)
);
CREATE INDEX committee_by_id ON committee_members (id);
CREATE INDEX committee_by_term ON committee_members (tenant_id, term_id);

CREATE TABLE liaison_links (
    tenant_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    from_id BIGINT NOT NULL,
    to_id BIGINT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX links_by_id ON liaison_links (id);
CREATE INDEX links_from ON liaison_links (tenant_id, kind, from_id);
CREATE INDEX links_to ON liaison_links (tenant_id, kind, to_id);

CREATE TABLE users (
    id BIGINT PRIMARY KEY,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    tenant_id BIGINT,
    person_id BIGINT,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    disabled BIGINT NOT NULL DEFAULT 0,
    lang TEXT NOT NULL DEFAULT 'zh-CN',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_by_name ON users (username);

CREATE TABLE user_grants (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL,
    tenant_id BIGINT,
    scope_org_id BIGINT,
    body_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX grants_by_user ON user_grants (user_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id BIGINT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE UNIQUE INDEX api_tokens_by_hash ON api_tokens (token_hash);

CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    before_data TEXT,
    after_data TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_by_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_by_tenant ON audit_log (tenant_id, seq);
"#;

/// Applies every migration not yet applied, each in its own transaction.
/// Returns the versions applied.
pub async fn run(store: &Store) -> Result<Vec<i64>> {
    sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)")
        .execute(&store.pool)
        .await?;
    let mut applied = Vec::new();
    for (version, name, sql, pg_only) in MIGRATIONS {
        let mut tx = store.pool.begin().await?;
        // Taking the row lock first makes two servers starting at once apply it only once.
        let done: Option<i64> =
            sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1").bind(*version).fetch_optional(&mut *tx).await?;
        if done.is_some() {
            continue;
        }
        if !sql.is_empty() {
            sqlx::raw_sql(*sql).execute(&mut *tx).await?;
        }
        if store.backend == crate::db::Backend::Postgres && !pg_only.is_empty() {
            sqlx::raw_sql(*pg_only).execute(&mut *tx).await?;
        }
        if store.backend == crate::db::Backend::Sqlite {
            for (_, sql) in SQLITE_ONLY.iter().filter(|(v, _)| v == version) {
                sqlx::raw_sql(*sql).execute(&mut *tx).await?;
            }
        }
        // derived tables that start from what is already stored
        if *version == 14 {
            crate::request_tallies::rebuild(&mut tx).await?;
        }
        sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(*version)
            .bind(name.to_string())
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        applied.push(*version);
    }
    Ok(applied)
}

/// The version the database is at (0 before any migration).
pub async fn current_version(store: &Store) -> Result<i64> {
    let v: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations").fetch_one(&store.pool).await.ok().flatten();
    Ok(v.unwrap_or(0))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}
