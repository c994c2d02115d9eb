// Adds each initial as a Session linked to its Symbol. CREATE, not MERGE: the log holds one
// initial per uuid and advance-projection guards against applying it twice.
// Served by symbol_name (the MATCH) and session_uuid (uniqueness on create).
UNWIND $sessions AS row
MATCH (symbol:Symbol {name: row.symbol})
CREATE (session:Session {uuid: row.uuid, symbol: row.symbol, guess: row.guess, at: row.at})
CREATE (session)-[:ASKED]->(symbol)
RETURN count(*) AS applied
