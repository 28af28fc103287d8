import { Device } from '../devices/entities/device.entity';
import { Point } from '../devices/entities/point.entity';
import { Timeseries } from '../devices/entities/timeseries.entity';

/** Every entity of the service. A new feature module adds its entities here (and a migration). */
export const ENTITIES = [Device, Point, Timeseries];
