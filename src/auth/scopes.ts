/** IMS scopes of the apollo API family. A route names the scopes any one of which admits a caller. */
export const WRITE_SCOPES = ['apollo_write', 'write'] as const;
export const READ_SCOPES = ['apollo_read', 'read', 'apollo_write', 'write'] as const;
