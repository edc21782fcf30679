import type { Command } from 'commander';
import { matchSvaProducts, svaLinkedProducts } from '../../ops/sva-links';
import type { CliContext } from '../cli-context';
import { openCliPlatform } from './catalog-platform';
import { contractsWithProduct, setProductLink } from './catalog-queries';

/**
 * `catalog adopt-sva [--dry-run]`: links the IXC products set up the SVA way to the platform
 * product their package code names (`id_sva_pacote` = the platform product's code, else its id),
 * listing the contracts each link will provision. Active platform products only; ambiguous codes
 * are reported, not guessed.
 */
export function registerAdoptSvaCommand(catalog: Command, ctx: CliContext): void {
  catalog
    .command('adopt-sva')
    .description('Link IXC products linked only through id_sva_integracao/id_sva_pacote to the platform product of that code')
    .option('--dry-run', 'only show the links and the contracts each would provision')
    .option('--json', 'print JSON')
    .action(async (flags: { dryRun?: boolean; json?: boolean }) => {
      const config = ctx.config();
      const integrationId = config.iot.integrationId;
      const platform = await openCliPlatform(config, ctx.logger(), true);
      try {
        const { dataSource } = platform.app;
        const query = (sql: string, params: unknown[]) => dataSource.query(sql, params) as Promise<unknown>;
        const report = matchSvaProducts(await svaLinkedProducts(query, integrationId), await platform.client!.listProducts());
        const links = [];
        for (const m of report.adoptable) {
          const contracts = await contractsWithProduct(dataSource, m.product.id);
          const skipped = m.platformProduct.active ? null : `platform product ${m.platformProduct.id} is inactive`;
          links.push({ product: m.product, platformProduct: m.platformProduct, by: m.by, contracts, skipped });
        }
        const verb = flags.dryRun ? 'Would link' : 'Linked';
        for (const l of links) {
          if (l.skipped === null && !flags.dryRun) await setProductLink(dataSource, l.product.id, l.platformProduct.id, integrationId);
        }
        if (flags.json) {
          ctx.print(JSON.stringify({ dryRun: flags.dryRun ?? false, integrationId, links, ambiguous: report.ambiguous }, null, 2));
          return;
        }
        for (const l of links) {
          if (l.skipped !== null) {
            ctx.print(`! IXC produto ${l.product.id} (${l.product.descricao}, pacote ${l.product.svaPackage}) not linked: ${l.skipped}`);
            continue;
          }
          ctx.print(
            `${verb} IXC produto ${l.product.id} (${l.product.descricao}, SVA integration ${l.product.svaIntegration}, pacote ${l.product.svaPackage}) ` +
              `→ platform product ${l.platformProduct.id} (${l.platformProduct.name}, matched by ${l.by}), integration ${integrationId}`,
          );
          ctx.print(
            `    contracts it provisions (own or plan lines): ${l.contracts.length}` +
              `${l.contracts.length ? ` — ${l.contracts.map((c) => `${c.id} (${c.status}/${c.statusInternet})`).join(', ')}` : ''}`,
          );
        }
        for (const a of report.ambiguous) {
          ctx.print(`! IXC produto ${a.product.id} (pacote ${a.product.svaPackage}) matches ${a.candidates.map((c) => c.id).join(' and ')}: link it with \`catalog link\``);
        }
        const made = links.filter((l) => l.skipped === null).length;
        ctx.print(
          links.length + report.ambiguous.length === 0
            ? 'No IXC product is linked only the SVA way to a platform product.'
            : `${made} link(s) ${flags.dryRun ? 'planned (dry run: nothing changed)' : 'made; the worker provisions their contracts as the product changes reach it'}.`,
        );
      } finally {
        await platform.close();
      }
    });
}
