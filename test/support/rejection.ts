import { InvalidRequestError } from '../../src/common/errors';

/** The 400 that `work` throws; fails the test when it returns, or throws something else. */
export function rejectionOf(work: () => unknown): InvalidRequestError {
  try {
    work();
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error('expected a 400 (InvalidRequestError), and the call succeeded');
}
