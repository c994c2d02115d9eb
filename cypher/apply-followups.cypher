// Adds each followup as a FOLLOWED_UP relationship from its Session to the Symbol it asked
// about. Returns how many were applied, so a missing session fails the transaction.
// Served by session_uuid.
UNWIND $followups AS row
MATCH (session:Session {uuid: row.uuid})-[:ASKED]->(symbol:Symbol)
CREATE (session)-[:FOLLOWED_UP {at: row.at}]->(symbol)
RETURN count(*) AS applied
