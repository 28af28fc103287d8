import { Device } from './device.entity';
import { Point } from './point.entity';
import { Timeseries } from './timeseries.entity';

/** The entities of the devices feature, registered by DevicesModule (TypeOrmModule.forFeature). */
export const DEVICES_ENTITIES = [Device, Point, Timeseries];
