import { HttpStatus } from '@nestjs/common';

import { READ_SCOPES, WRITE_SCOPES } from '../auth/scopes';
import { DEFAULT_LIMITS } from '../config/config';
import type { DeviceRouteOptions } from '../device-routes/device-route.decorator';
import { SampleDto } from '../series/dto/sample.dto';
import { MAX_TIMESERIES_PER_REQUEST, SELECTION_ERRORS } from '../series/dto/timeseries-selection.dto';
import { DEFAULT_SAMPLES_PAGE, MAX_SAMPLES_PAGE } from './dto/read-samples-query.dto';
import { SampleInputDto } from './dto/sample-input.dto';
import { SamplesAcceptedDto } from './dto/samples-accepted.dto';
import { SamplesDeletedDto } from './dto/samples-deleted.dto';
import { DELETE_RESPONSE, READ_RESPONSE, WRITE_REQUEST, WRITE_RESPONSE } from './samples.examples';

/** The routes of `/apollo/devices/{deviceId}/timeseries/samples`: what each is, for its guards and OpenAPI. */

export const SAMPLES_TAG = {
  name: 'samples',
  description: 'The values of the timeseries over time: write, read, export, delete',
};

export const WRITE_SAMPLES_ROUTE: DeviceRouteOptions = {
  scopes: WRITE_SCOPES,
  operationId: 'postSamples',
  summary: "Write samples of the device's timeseries",
  description:
    'Stores 1..MAX_SAMPLES_PER_REQUEST samples, all or nothing, and answers once they are committed: a 202 means ' +
    'stored. A sample whose (timeseriesId, metric, timestamp) is already stored replaces it: last write wins, ' +
    'and its ingest time becomes now. Samples never create devices or timeseries. The body may be sent with ' +
    '`Content-Encoding: gzip` or `deflate`; SAMPLES_BODY_LIMIT applies to the decompressed body.',
  body: {
    items: SampleInputDto,
    maxItems: DEFAULT_LIMITS.maxSamplesPerRequest,
    description: `The samples: 1..MAX_SAMPLES_PER_REQUEST (default ${DEFAULT_LIMITS.maxSamplesPerRequest}), no (timeseriesId, metric, timestamp) twice.`,
    examples: { two: { summary: 'Two samples of one timeseries', value: WRITE_REQUEST } },
  },
  headers: [
    {
      name: 'Content-Encoding',
      required: false,
      description: 'How the body is compressed: gzip or deflate (identity, or no header: not compressed).',
      schema: { type: 'string', enum: ['gzip', 'deflate', 'identity'] },
    },
  ],
  answer: {
    status: HttpStatus.ACCEPTED,
    data: SamplesAcceptedDto,
    description: 'Every sample is stored.',
    example: WRITE_RESPONSE,
  },
  errors: {
    400: {
      description:
        'No samples provided; the body is not a JSON array of valid samples (each problem named by its path); a ' +
        'timeseriesId that is not a timeseries of this device; the same key twice; more than ' +
        'MAX_SAMPLES_PER_REQUEST samples; a timestamp older than SAMPLES_RETENTION_DAYS; a corrupt compressed ' +
        'body; or an invalid deviceId.',
      message: 'No samples provided',
    },
    413: {
      description: `The (decompressed) body is larger than SAMPLES_BODY_LIMIT (default ${DEFAULT_LIMITS.samplesBodyLimit} bytes).`,
      message: `Request body is larger than the limit of ${DEFAULT_LIMITS.samplesBodyLimit} bytes`,
    },
    415: {
      description: 'Content-Type is not application/json, or Content-Encoding is not gzip, deflate or identity.',
      message: 'Content-Encoding must be gzip, deflate or identity',
    },
  },
};

export const READ_SAMPLES_ROUTE: DeviceRouteOptions = {
  scopes: READ_SCOPES,
  operationId: 'getSamples',
  summary: "Read samples of the device's timeseries",
  description:
    `The samples of 1..${MAX_TIMESERIES_PER_REQUEST} timeseries in [startTime, endTime), ordered by timestamp, ` +
    'then timeseriesId, then metric (all ascending, or all descending). `paginated=true`: pages of `limit` ' +
    `(default ${DEFAULT_SAMPLES_PAGE}, at most ${MAX_SAMPLES_PAGE}); when more remain, the ContinuationToken ` +
    "response header carries the next page's token: send it back in the ContinuationToken request header with " +
    'the same query. `paginated=false` (default): every sample of the range in one streamed answer, at most ' +
    'SAMPLES_EXPORT_LIMIT (more is a 400), or the first `limit` with a ContinuationToken when more remain.',
  answer: {
    status: HttpStatus.OK,
    data: [SampleDto],
    description: 'The samples: `data` is the array itself.',
    example: READ_RESPONSE,
    headers: {
      ContinuationToken: {
        description: "The next page's token, when more samples remain.",
        schema: { type: 'string' },
      },
    },
  },
  errors: {
    400: {
      description:
        `${SELECTION_ERRORS}; an invalid startTime, endTime, orderby, paginated or limit; startTime not before ` +
        'endTime; a malformed, modified or foreign ContinuationToken; or an unpaginated range holding more than ' +
        'SAMPLES_EXPORT_LIMIT samples.',
      message: 'Unknown timeseries: timeseries_ids[0] is not a timeseries of this device',
    },
  },
};

export const DELETE_SAMPLES_ROUTE: DeviceRouteOptions = {
  scopes: WRITE_SCOPES,
  operationId: 'deleteSamples',
  summary: 'Delete the samples of timeseries in a range',
  description:
    'Deletes the samples of the given timeseries (and metric, default Raw) in [startTime, endTime); both are ' +
    'required, so no request deletes everything by accident. All or nothing, one statement.',
  answer: {
    status: HttpStatus.OK,
    data: SamplesDeletedDto,
    description: 'How many samples were deleted.',
    example: DELETE_RESPONSE,
  },
  errors: {
    400: {
      description: `${SELECTION_ERRORS}; startTime or endTime missing or invalid, or startTime not before endTime.`,
      message: 'Invalid request: startTime: startTime is required',
    },
  },
};
