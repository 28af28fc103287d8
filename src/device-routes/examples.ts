/**
 * The timeseries ids every example of the OpenAPI document uses (its device is `TestDevice`). The access
 * matrix and the fuzz test read requests from the document's examples and put a real device's
 * ids in their place, so keep examples on these.
 */
export const EXAMPLE_TIMESERIES_ID = '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1';
export const EXAMPLE_TIMESERIES_ID_2 = '9f0d2a57-6a43-4bb4-8f5e-2c1c8b7e6d02';
