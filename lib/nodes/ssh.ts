// Moved to lib/push/ssh.ts (the push renders the connection). Kept until every importer has moved.
export * from "../push/ssh";
