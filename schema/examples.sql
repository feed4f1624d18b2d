-- The README's example queries over the tables of schema/duckdb.sql (the Python test
-- suite runs each of them in DuckDB over a scan of the SpamAssassin public corpus).

-- name: top_rules
SELECT rule, name, count(*) AS findings, count(DISTINCT source) AS messages
FROM findings
WHERE score > 0
GROUP BY rule, name
ORDER BY findings DESC, rule
LIMIT 10;

-- name: forged_by_entry_address
SELECT ip AS entry_address, count(*) AS forged_messages
FROM hops
WHERE trust = 'entry' AND verdict = 'forged'
GROUP BY ip
ORDER BY forged_messages DESC, entry_address
LIMIT 10;

-- name: slowest_hops
SELECT source, message_index, hop, "by", delay_s
FROM hops
WHERE delay_s IS NOT NULL
ORDER BY delay_s DESC, source, hop
LIMIT 10;
