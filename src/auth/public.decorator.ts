import { SetMetadata } from '@nestjs/common';

import { IS_PUBLIC } from './auth.constants';

/** Opts a route out of authentication. Every other route needs a valid bearer token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
