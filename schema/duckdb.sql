-- Tables for hopsleuth's flat rows in DuckDB (`hopsleuth scan --emit findings` and
-- `--emit hops`: one NDJSON object per row, every key present, `null` when absent).
-- Load with:
--   COPY findings FROM 'findings.ndjson' (FORMAT json);
--   COPY hops FROM 'hops.ndjson' (FORMAT json);

CREATE TABLE IF NOT EXISTS findings (
    source        VARCHAR NOT NULL,  -- the message's file ("-" for standard input)
    message_index BIGINT,            -- index in its mailbox; NULL for a single message
    verdict       VARCHAR NOT NULL,  -- the message's path verdict: clean, suspicious, forged
    rule          VARCHAR NOT NULL,  -- rule id, e.g. CHAIN005
    name          VARCHAR NOT NULL,  -- rule name, e.g. appended-fake-hops
    strength      VARCHAR NOT NULL,  -- proof, strong, weak, info
    concern       VARCHAR NOT NULL,  -- path or identity
    score         DOUBLE  NOT NULL,  -- score the finding contributed
    hop           BIGINT,            -- oldest hop it concerns (0 = origin); NULL for none
    hops          BIGINT[] NOT NULL, -- every hop it concerns
    message       VARCHAR NOT NULL   -- the sentence a person reads
);

CREATE TABLE IF NOT EXISTS hops (
    source        VARCHAR NOT NULL,
    message_index BIGINT,
    verdict       VARCHAR NOT NULL,  -- the message's path verdict
    score         DOUBLE  NOT NULL,  -- the message's path score
    hop           BIGINT  NOT NULL,  -- chronological, 0 = the oldest Received line
    trust         VARCHAR NOT NULL,  -- ours, entry (our server, sender outside), outside, -
    helo          VARCHAR,           -- the HELO the client claimed
    rdns          VARCHAR,           -- the reverse name the receiver recorded
    ip            VARCHAR,           -- the client address the receiver recorded
    "by"          VARCHAR,           -- the receiving host
    protocol      VARCHAR,           -- ESMTPS, SMTP, LMTP, ...
    tls           BOOLEAN NOT NULL,
    auth          BOOLEAN NOT NULL,
    date          VARCHAR,           -- RFC 3339, UTC
    "timestamp"   BIGINT,            -- Unix seconds
    delay_s       BIGINT,            -- seconds since the hop before
    rules         VARCHAR[] NOT NULL -- ids of the findings on this hop
);
