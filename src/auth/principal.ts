/** The authenticated caller, as read from a verified access token. */
export interface Principal {
  subject: string;
  scopes: ReadonlySet<string>;
  /** Collection ids (security groups) whose devices the caller may touch. */
  collections: readonly string[];
  /** The token's `exp`, in seconds since the epoch. */
  expiresAt: number;
}

const MAX_CLAIM_ITEMS = 1000;

/**
 * Reads scopes and collections from verified JWT claims. Claims of unexpected types count as
 * absent (and so lead to a 403 later), never to a server error.
 * - scopes: `scope` as a space- or comma-separated string, and/or `scp` as an array of strings;
 * - collections: the claim named by JWT_COLLECTIONS_CLAIM, an array of strings.
 */
export function principalFromClaims(payload: Record<string, unknown>, collectionsClaim: string): Principal {
  const scopes = new Set<string>();
  if (typeof payload.scope === 'string') {
    for (const scope of payload.scope.split(/[\s,]+/)) if (scope) scopes.add(scope);
  }
  for (const scope of stringItems(payload.scp)) scopes.add(scope);

  return {
    subject: typeof payload.sub === 'string' ? payload.sub : '',
    scopes,
    collections: [...new Set(stringItems(payload[collectionsClaim]))],
    expiresAt: typeof payload.exp === 'number' ? payload.exp : 0,
  };
}

function stringItems(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.slice(0, MAX_CLAIM_ITEMS).filter((item): item is string => typeof item === 'string' && item.length > 0);
}
