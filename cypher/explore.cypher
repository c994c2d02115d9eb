// Queries for business users to paste into Neo4j Browser (http://localhost:7474/browser/,
// user neo4j). They only read; run one at a time. The service never runs this file.
// Times are integers of microseconds since 1970-01-01 UTC; datetime({epochMillis: t / 1000})
// shows them as dates.

// 1. One symbol's sessions and their followups, drawn as a graph (the 50 newest sessions).
MATCH (symbol:Symbol {name: 'e'})<-[:ASKED]-(session:Session)
WITH symbol, session ORDER BY session.at DESC LIMIT 50
OPTIONAL MATCH followup = (session)-[:FOLLOWED_UP]->(symbol)
RETURN symbol, session, followup;

// 2. Followup ratio per symbol: how often clients came back, from the maintained totals.
MATCH (s:Symbol)
RETURN s.name AS symbol, s.initials AS initials, s.followups AS followups,
       round(toFloat(s.followups) / CASE s.initials WHEN 0 THEN 1 ELSE s.initials END, 4) AS ratio
ORDER BY ratio DESC;

// 3. Busiest hours of the last week, over all symbols, from the hour buckets.
MATCH (b:Bucket {grain: 'hour'})
WHERE b.start >= (datetime().epochMillis - 7 * 24 * 3600 * 1000) * 1000
RETURN datetime({epochMillis: b.start / 1000}) AS hour, sum(b.initials) AS initials,
       sum(b.followups) AS followups
ORDER BY initials DESC LIMIT 10;

// 4. The graph around one session: its symbol, its followups, and the other sessions that
// asked about the same symbol within a minute of it (found through the session_at index).
// Set the session first, e.g.  :param uuid => '0f8fad5b-d9cb-469f-a165-70867728950e'
MATCH (session:Session {uuid: $uuid})-[asked:ASKED]->(symbol:Symbol)
OPTIONAL MATCH followed = (session)-[:FOLLOWED_UP]->(symbol)
OPTIONAL MATCH (neighbour:Session)
WHERE neighbour.at >= session.at - 60000000 AND neighbour.at < session.at + 60000000
  AND neighbour.symbol = symbol.name AND neighbour <> session
RETURN session, asked, symbol, followed, collect(neighbour)[..20] AS neighbours;

// 5. How often the server guessed "vowel", per symbol (reads every session: slow on big graphs).
MATCH (s:Symbol)<-[:ASKED]-(session:Session)
RETURN s.name AS symbol, count(*) AS sessions,
       sum(CASE WHEN session.guess THEN 1 ELSE 0 END) AS guessed_vowel
ORDER BY symbol;

// 6. Where the projection stands in the MariaDB log (events.id of the last event applied).
MATCH (p:Projection) RETURN p.name, p.lastEventId;
