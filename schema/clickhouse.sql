-- Tables for hopsleuth's flat rows in ClickHouse (`hopsleuth scan --emit findings` and
-- `--emit hops`). Load with:
--   clickhouse-client --query "INSERT INTO findings FORMAT JSONEachRow" < findings.ndjson
--   clickhouse-client --query "INSERT INTO hops FORMAT JSONEachRow" < hops.ndjson

CREATE TABLE IF NOT EXISTS findings (
    source        String,
    message_index Nullable(UInt64),
    verdict       LowCardinality(String),
    rule          LowCardinality(String),
    name          LowCardinality(String),
    strength      LowCardinality(String),
    concern       LowCardinality(String),
    score         Float64,
    hop           Nullable(UInt32),
    hops          Array(UInt32),
    message       String
) ENGINE = MergeTree ORDER BY (rule, source);

CREATE TABLE IF NOT EXISTS hops (
    source        String,
    message_index Nullable(UInt64),
    verdict       LowCardinality(String),
    score         Float64,
    hop           UInt32,
    trust         LowCardinality(String),
    helo          Nullable(String),
    rdns          Nullable(String),
    ip            Nullable(String),
    `by`          Nullable(String),
    protocol      LowCardinality(Nullable(String)),
    tls           Bool,
    auth          Bool,
    date          Nullable(String),
    timestamp     Nullable(Int64),
    delay_s       Nullable(Int64),
    rules         Array(LowCardinality(String))
) ENGINE = MergeTree ORDER BY (source, hop);
