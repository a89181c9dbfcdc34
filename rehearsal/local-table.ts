/** The progress table's name in a rehearsal's local DynamoDB (dynalite); a module of its own, so reading a local log does not load the rehearsal. */
export const LOCAL_TABLE = 'cni-fleet-local-progress';
