import { createHash } from 'node:crypto';

/**
 * Stable hex derived from `text`: the simulator's ids (endpoints, ARNs' unique parts, uids) are functions of what
 * they name, so two runs of one fleet file look the same.
 */
export const hexOf = (text: string, length = 32): string => createHash('sha256').update(text).digest('hex').slice(0, length);

/** A UUID-shaped id derived from `text`. */
export const uuidOf = (text: string): string => {
  const h = hexOf(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};
