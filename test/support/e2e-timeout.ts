/**
 * An e2e test or hook starts apps and servers and sends thousands of requests: seconds when idle,
 * tens of seconds beside other work on two cores. The limit catches what hangs, not what is slow.
 */
jest.setTimeout(180_000);
