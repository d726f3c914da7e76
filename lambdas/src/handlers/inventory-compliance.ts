import { createCatalogMatcher, type CatalogMatcher } from '@rackops/core/catalog/catalog-match';
import type { Catalog } from '@rackops/core/catalog/catalog.schema';
import { formatClusterCompliance } from '@rackops/core/inventory/compliance-report';
import { complianceOfCluster } from '@rackops/core/inventory/queries';
import type { Store } from '@rackops/core/ports/store.port';
import { type CatalogSource, loadCatalog } from './inventory-catalog';

export interface ComplianceQueryDeps {
  /** Where the catalog is read from (or a loader, for tests and other transports). */
  catalog: CatalogSource | (() => Promise<Catalog>);
  /** A loaded catalog is reused this long: Dell's is ~30 MB and changes monthly. @default 600_000 */
  cacheMs?: number;
  now?: () => number;
}

/**
 * The bot's `compliance <cluster>` query (BotQueries.compliance): cluster compliance against the catalog
 * as a compact, paginated markdown table. The catalog is fetched at most once per `cacheMs`.
 */
export function createComplianceQuery(deps: ComplianceQueryDeps) {
  const cacheMs = deps.cacheMs ?? 600_000;
  const now = deps.now ?? Date.now;
  let cached: { at: number; matcher: CatalogMatcher; name: string } | undefined;
  const current = async () => {
    if (cached && now() - cached.at < cacheMs) return cached;
    const catalog =
      typeof deps.catalog === 'function' ? await deps.catalog() : (await loadCatalog(deps.catalog)).catalog;
    cached = {
      at: now(),
      matcher: createCatalogMatcher(catalog),
      name: `catalog ${catalog.version ?? catalog.releaseId ?? '(unversioned)'}`,
    };
    return cached;
  };
  return async (store: Store, clusterId: string, page = 1): Promise<string> => {
    const { matcher, name } = await current();
    const c = await complianceOfCluster(store, matcher, clusterId);
    return formatClusterCompliance(c, { page, catalogName: name });
  };
}
