// GET /dashboard/symbol/<symbol>: the Symbol's maintained all-time totals; one seek in
// symbol_name, whatever the number of events.
MATCH (s:Symbol {name: $symbol})
RETURN s.initials AS count, s.followups AS followups, s.earliest AS earliest, s.latest AS latest
