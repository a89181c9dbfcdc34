import { loadOfflineCatalogue, type Catalogue, type FactsVersion } from '../../lib/addon/offline-catalogue/catalogue.js';
import { byVersion, minorLineOf } from '../versions.js';

export type { Catalogue, CatalogueBuild } from '../../lib/addon/offline-catalogue/catalogue.js';

/**
 * The catalogue the simulator serves: the offline catalogue's data and compatibility rule, ordered and grouped by
 * the simulator's own version rules (sim/versions.ts), not the product's.
 *
 * @example
 * loadCatalogue().compatibleBuilds('1.23')[0] // { version: 'v1.18.5-eksbuild.1', isDefault: true }
 */
export function loadCatalogue(source?: readonly FactsVersion[]): Catalogue {
  return loadOfflineCatalogue({ compare: byVersion, minorLine: minorLineOf }, source);
}
