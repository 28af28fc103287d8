/** A UUID, any version, either case (answers use lower case): the one definition of the rule. */
export const UUID_PATTERN = '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$';
export const UUID = new RegExp(UUID_PATTERN);

/** The JSON schema of a UUID, as the OpenAPI document and the compiled fast paths use it. */
export const UUID_SCHEMA = { type: 'string', format: 'uuid', pattern: UUID_PATTERN } as const;
