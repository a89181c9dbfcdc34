/** The JSON of a Kubernetes object as the API server returns it. */
export type KubeObject = Record<string, unknown>;

/** Kubernetes timestamps: RFC 3339, whole seconds, UTC. */
export const isoSeconds = (virtualMs: number): string => new Date(virtualMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
