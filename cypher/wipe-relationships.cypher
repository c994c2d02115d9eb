// First step of emptying a graph: deletes every relationship, in transactions of bounded
// size. A Symbol node holds a relationship per session of its letter, so deleting nodes with
// theirs (DETACH) would put hundreds of thousands in one transaction. Auto-commit only.
MATCH ()-[r]->()
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS
