/** Length limits of the devices feature's bodies and queries, shared by DTOs, pipes and the OpenAPI document. */
export const POINT_ID_MAX_LENGTH = 256;
export const POINT_TYPE_MAX_LENGTH = 64;
