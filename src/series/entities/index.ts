import { SampleBlock } from './sample-block.entity';
import { SampleRollup } from './sample-rollup.entity';
import { Sample } from './sample.entity';

/** The entities of the samples storage, registered by SeriesModule (TypeOrmModule.forFeature). */
export const SERIES_ENTITIES = [Sample, SampleBlock, SampleRollup];
