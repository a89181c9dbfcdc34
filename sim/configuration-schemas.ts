import { offlineConfigurationSchemas } from '../lib/addon/offline-catalogue/configuration-schemas.js';
import { byVersion } from './versions.js';

/**
 * The configuration schema text the simulator serves for a vpc-cni build: the offline schemas, with the builds
 * compared by the simulator's own version rules (sim/versions.ts).
 *
 * @example
 * JSON.parse(configurationSchemaFor('v1.14.1-eksbuild.1')).definitions.Env.properties.ENABLE_V4_EGRESS // undefined
 */
export const configurationSchemaFor: (version: string) => string = offlineConfigurationSchemas({ compare: byVersion });
