'use strict';

/**
 * The answer envelope's JSON schema around a data schema, for the bare server's Fastify response
 * schemas (fast-json-stringify serializes only what it declares, as the service does).
 * @param {Record<string, unknown>} dataSchema
 */
const envelopeSchema = (dataSchema) => ({
  type: 'object',
  required: ['status', 'data'],
  properties: {
    status: {
      type: 'object',
      required: ['Message', 'Code'],
      properties: { Message: { type: 'string' }, Code: { type: 'string' } },
    },
    data: dataSchema,
  },
});

module.exports = { envelopeSchema };
