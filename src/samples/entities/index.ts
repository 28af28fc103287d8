import { Sample } from './sample.entity';

/** The entities of the samples feature, registered by SamplesModule (TypeOrmModule.forFeature). */
export const SAMPLES_ENTITIES = [Sample];
