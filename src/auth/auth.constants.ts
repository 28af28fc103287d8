/** Injection token for the JwtKeyResolver built from configuration. */
export const JWT_KEY_RESOLVER = Symbol('JWT_KEY_RESOLVER');

/** Route metadata: the route needs no token. */
export const IS_PUBLIC = 'auth:isPublic';

/** Route metadata: the scopes, any one of which admits the caller. */
export const REQUIRED_SCOPES = 'auth:requiredScopes';

/** The header naming the collection (security group) a request works in. Fastify lower-cases names. */
export const COLLECTION_HEADER = 'ercollectionid';
