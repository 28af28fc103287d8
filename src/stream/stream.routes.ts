import { HttpStatus } from '@nestjs/common';

import { READ_SCOPES } from '../auth/scopes';
import type { EventStreamAnswer, RouteOptions } from '../openapi/api-route.decorator';
import type { DeviceRouteOptions } from '../device-routes/device-route.decorator';
import { SampleDto } from '../series/dto/sample.dto';
import { MAX_TIMESERIES_PER_REQUEST, SELECTION_ERRORS } from '../series/dto/timeseries-selection.dto';
import { DeletedEventDto, StreamEndedDto } from './dto/stream-events.dto';
import { StreamTicketDto, StreamTicketRequestDto } from './dto/stream-ticket.dto';

/** The routes of live samples: what each is, for its guards and OpenAPI (docs/stream.md). */

export const STREAM_TAG = {
  name: 'stream',
  description: 'Live samples: a resumable Server-Sent Events stream of what is written and deleted',
};

const STREAM_EXAMPLE =
  'retry: 2000\nid: 41\n\n' +
  'id: 42\nevent: samples\ndata: [{"timeseriesId":"0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1","metric":"Raw",' +
  '"timestamp":"2026-12-07T10:00:00.000Z","val":21.5,"unixTimestamp":1796637600000,"ingestUnixTimestamp":1796637600412}]\n\n' +
  ': heartbeat\n\n' +
  'id: 45\nevent: deleted\ndata: {"timeseriesId":"0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1","metric":"Raw",' +
  '"startTime":"2026-12-07T00:00:00.000Z","endTime":"2026-12-07T01:00:00.000Z","deleted":60}\n\n';

const STREAM_ANSWER: EventStreamAnswer = {
  status: HttpStatus.OK,
  eventStream: {
    description:
      'Server-Sent Events, until the client leaves or the service ends the stream with a last event. Each event ' +
      'carries an `id:`; reconnecting with it in Last-Event-ID resumes after it with nothing lost or repeated. ' +
      'A comment line every SAMPLES_STREAM_HEARTBEAT_MS (default 15 s) keeps an idle stream open.',
    example: STREAM_EXAMPLE,
    dataExample: [
      {
        timeseriesId: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1',
        metric: 'Raw',
        timestamp: '2026-12-07T10:00:00.000Z',
        val: 21.5,
        unixTimestamp: 1796637600000,
        ingestUnixTimestamp: 1796637600412,
      },
    ],
    events: {
      samples: {
        description: 'One committed write: its samples of the subscribed timeseries and metric, as reads answer them.',
        data: [SampleDto],
      },
      deleted: {
        description: 'A subscribed timeseries lost samples in a range (the DELETE endpoint; retention is no event).',
        data: DeletedEventDto,
      },
      overflow: {
        description: 'Last event: the client read too slowly (SAMPLES_STREAM_BUFFER); resume with the last id.',
        data: StreamEndedDto,
      },
      expired: { description: 'Last event: the token expired; resume with a new one.', data: StreamEndedDto },
      shutdown: { description: 'Last event: the instance is stopping; resume on another.', data: StreamEndedDto },
    },
  },
};

const STREAM_ERRORS = {
  410: {
    description:
      'Last-Event-ID is older than SAMPLES_STREAM_RESUME_S (default 3600 s) allows, or unknown: re-read the ' +
      'range with GET .../samples, then open the stream without it.',
    message: 'Last-Event-ID 12 can no longer be resumed: re-read the samples since, then stream from now',
  },
  429: {
    description:
      'The token subject has SAMPLES_STREAM_CONNECTIONS_PER_SUBJECT streams open on this instance, or more than ' +
      'RATE_LIMIT_PER_MINUTE requests in a minute.',
    message: 'Too many open streams: at most 10 for one token subject',
  },
} as const;

export const STREAM_ROUTE: DeviceRouteOptions = {
  scopes: READ_SCOPES,
  operationId: 'streamSamples',
  summary: "Stream new samples of the device's timeseries (Server-Sent Events)",
  description:
    `Sends every committed write of 1..${MAX_TIMESERIES_PER_REQUEST} timeseries of the device (one metric, ` +
    'default Raw) as it commits, on whichever instance, and their deletes: `text/event-stream`. Send the last ' +
    'event id back in the Last-Event-ID header to resume. Browsers, whose EventSource sends no Authorization ' +
    'header, open it with a ticket (POST .../samples/stream/tickets). Swagger UI cannot show a stream: use curl -N.',
  headers: [
    {
      name: 'Last-Event-ID',
      required: false,
      description: 'Resume after this event id (the `id:` of the last event received).',
      schema: { type: 'string', pattern: '^[0-9]{1,15}$' },
    },
  ],
  answer: STREAM_ANSWER,
  errors: {
    400: {
      description: `${SELECTION_ERRORS}; a Last-Event-ID that is not an event id.`,
      message: 'Unknown timeseries: timeseries_ids[0] is not a timeseries of this device',
    },
    ...STREAM_ERRORS,
  },
};

export const TICKET_ROUTE: DeviceRouteOptions = {
  scopes: READ_SCOPES,
  operationId: 'createStreamTicket',
  summary: 'Get a ticket that opens a samples stream from a browser',
  description:
    "A browser's EventSource cannot send the bearer token, and a token in a URL ends up in logs. A ticket opens " +
    'the stream of the body (timeseries, metric, optionally resuming after lastEventId) once, within ' +
    'SAMPLES_STREAM_TICKET_S (default 30 s), for this token subject, and the stream ends when this token expires.',
  body: {
    type: StreamTicketRequestDto,
    description: 'What the ticket opens: the timeseries, the metric, and where to resume.',
    examples: {
      open: {
        summary: 'A stream of one timeseries',
        value: { timeseriesIds: ['0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1'] },
      },
      resume: {
        summary: 'Resume after the last event id the page saw',
        value: { timeseriesIds: ['0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1'], metric: 'Raw', lastEventId: '41' },
      },
    },
  },
  answer: {
    status: HttpStatus.CREATED,
    data: StreamTicketDto,
    description: 'The ticket, and the URL it opens.',
    example: {
      status: { Message: '', Code: '201' },
      data: {
        ticket: 'Jm3Yq0sYb7t2xq9oZ7k1y0mW4eX2rC8aV5nL1pQ6uHs',
        url: '/apollo/samples/stream?ticket=Jm3Yq0sYb7t2xq9oZ7k1y0mW4eX2rC8aV5nL1pQ6uHs',
        expiresAt: '2026-12-07T10:00:30.000Z',
        lastEventId: '41',
      },
    },
  },
  errors: {
    400: {
      description:
        'timeseriesIds missing, invalid, repeated, more than 100, or not timeseries of this device; an invalid ' +
        'metric or lastEventId; an unknown property.',
      message: 'Unknown timeseries: timeseriesIds[0] is not a timeseries of this device',
    },
    410: STREAM_ERRORS[410],
  },
};

export const TICKET_STREAM_ROUTE: RouteOptions = {
  operationId: 'streamSamplesWithTicket',
  summary: 'Stream new samples, opened with a ticket (browsers)',
  description:
    'The stream of POST .../samples/stream/tickets, opened without an Authorization header: `new ' +
    'EventSource(url)`. The ticket is used up on opening; when the stream drops, get a new ticket with the last ' +
    'event id as lastEventId.',
  answer: STREAM_ANSWER,
  errors: {
    400: {
      description: 'No ticket, or not a ticket.',
      message: 'Invalid request: ticket: ticket must be a stream ticket',
    },
    401: {
      description: 'The ticket is unknown, used already, or expired.',
      message: 'The stream ticket is unknown, used or expired: get a new one',
    },
    503: { description: 'The database is unavailable.', message: 'The database is unavailable; try again shortly' },
    ...STREAM_ERRORS,
  },
};
