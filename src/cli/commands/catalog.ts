import { InvalidArgumentError, type Command } from 'commander';
import type { PlatformProduct } from '../../handlers/ports/iot-platform';
import type { CliContext } from '../cli-context';
import { contractsWithProduct, ixcProduct, linkedIxcProducts, setProductLink } from './catalog-queries';
import { openCliPlatform } from './catalog-platform';
import { CliUsageError } from '../exit-codes';
import { registerAdoptSvaCommand } from './catalog-adopt-sva';
import { matchSvaProducts, svaLinkedProducts, svaWarning } from '../../ops/sva-links';

function productId(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`Expected an IXC product id, got "${value}"`);
  return n;
}

function describe(p: PlatformProduct): string {
  return `${p.id}  ${p.name}${p.code ? ` [${p.code}]` : ''}  type=${p.type ?? '-'}  max_devices=${p.maxDevices ?? '-'}${p.active ? '' : '  INACTIVE'}`;
}

export function registerCatalogCommand(program: Command, ctx: CliContext): void {
  const catalog = program.command('catalog').description('Platform products and their links to IXC products (produtos.id_produto_iot)');

  catalog
    .command('list')
    .description('List the platform products and the IXC products linked to each; report links to missing or inactive products')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const config = ctx.config();
      const platform = await openCliPlatform(config, ctx.logger(), true);
      try {
        const products = await platform.client!.listProducts();
        const linked = await linkedIxcProducts(platform.app.dataSource);
        const byPlatform = new Map<string, typeof linked>();
        for (const row of linked) byPlatform.set(row.idProdutoIot ?? '', [...(byPlatform.get(row.idProdutoIot ?? '') ?? []), row]);
        const known = new Set(products.map((p) => p.id));
        const orphans = linked.filter((row) => !known.has(row.idProdutoIot ?? ''));
        const otherIntegration = linked.filter((row) => row.idIntegracaoIot !== config.iot.integrationId);
        const query = (sql: string, params: unknown[]) => platform.app.dataSource.query(sql, params) as Promise<unknown>;
        const sva = matchSvaProducts(await svaLinkedProducts(query, config.iot.integrationId), products);
        if (flags.json) {
          ctx.print(JSON.stringify({ products: products.map((p) => ({ ...p, linked: byPlatform.get(p.id) ?? [] })), orphans, otherIntegration, svaLinked: sva }, null, 2));
          return;
        }
        for (const p of products) {
          ctx.print(describe(p));
          const rows = byPlatform.get(p.id) ?? [];
          for (const row of rows) {
            const note = row.idIntegracaoIot === config.iot.integrationId ? '' : `  (integration ${row.idIntegracaoIot ?? 'none'}, ignored)`;
            ctx.print(`    ← IXC produto ${row.id}  ${row.descricao ?? ''}${row.ativo === 'S' ? '' : '  (inactive in IXC)'}${note}`);
          }
          if (rows.length > 0 && !p.active) ctx.print('    ! linked but INACTIVE on the platform: its licences cannot be created');
        }
        for (const row of orphans) {
          ctx.print(`! IXC produto ${row.id} (${row.descricao ?? ''}) is linked to "${row.idProdutoIot ?? ''}", which the platform does not list`);
        }
        if (products.length === 0) ctx.print('The platform lists no products.');
        const warning = svaWarning(sva, config.iot.integrationId);
        if (warning !== null) ctx.print(`! ${warning}. \`catalog adopt-sva --dry-run\` shows the links it would make.`);
      } finally {
        await platform.close();
      }
    });

  catalog
    .command('link <ixcProductId> <platformProductId>')
    .description('Link an IXC product to a platform product (writes produtos.id_produto_iot and id_integracao_iot)')
    .option('--dry-run', 'only list the contracts the link would affect')
    .option('--no-verify', 'do not check that the platform lists the product as active')
    .action(async (ixcIdText: string, platformProductId: string, flags: { dryRun?: boolean; verify: boolean }) => {
      const config = ctx.config();
      const ixcId = productId(ixcIdText);
      if (!/^[^:\s]{1,120}$/.test(platformProductId)) throw new CliUsageError(`Invalid platform product id "${platformProductId}"`);
      const platform = await openCliPlatform(config, ctx.logger(), flags.verify);
      try {
        const row = await ixcProduct(platform.app.dataSource, ixcId);
        if (!row) throw new Error(`IXC produto ${ixcId} does not exist`);
        if (platform.client) {
          const product = (await platform.client.listProducts()).find((p) => p.id === platformProductId);
          if (!product) throw new Error(`The platform does not list product "${platformProductId}" (see \`catalog list\`)`);
          if (!product.active) throw new Error(`Platform product "${platformProductId}" is inactive`);
        }
        const contracts = await contractsWithProduct(platform.app.dataSource, ixcId);
        const verb = flags.dryRun ? 'Would link' : 'Linked';
        ctx.print(`${verb} IXC produto ${ixcId} (${row.descricao ?? ''}) → platform product ${platformProductId} (integration ${config.iot.integrationId}); was ${row.idProdutoIot ?? 'unlinked'}.`);
        ctx.print(`Contracts holding it (own or plan lines): ${contracts.length}${contracts.length ? ` — ${contracts.map((c) => `${c.id} (${c.status}/${c.statusInternet})`).join(', ')}` : ''}`);
        if (!flags.dryRun) await setProductLink(platform.app.dataSource, ixcId, platformProductId, config.iot.integrationId);
      } finally {
        await platform.close();
      }
    });

  registerAdoptSvaCommand(catalog, ctx);

  catalog
    .command('unlink <ixcProductId>')
    .description('Remove the link of an IXC product; its contracts have their licences for it revoked on the next reconcile')
    .option('--dry-run', 'only list the contracts the unlink would affect')
    .action(async (ixcIdText: string, flags: { dryRun?: boolean }) => {
      const ixcId = productId(ixcIdText);
      const platform = await openCliPlatform(ctx.config(), ctx.logger(), false);
      try {
        const row = await ixcProduct(platform.app.dataSource, ixcId);
        if (!row) throw new Error(`IXC produto ${ixcId} does not exist`);
        const contracts = await contractsWithProduct(platform.app.dataSource, ixcId);
        ctx.print(`${flags.dryRun ? 'Would unlink' : 'Unlinked'} IXC produto ${ixcId} (${row.descricao ?? ''}) from ${row.idProdutoIot ?? 'nothing'}.`);
        ctx.print(`Contracts holding it (own or plan lines): ${contracts.length}${contracts.length ? ` — ${contracts.map((c) => `${c.id} (${c.status}/${c.statusInternet})`).join(', ')}` : ''}`);
        if (!flags.dryRun) await setProductLink(platform.app.dataSource, ixcId, null, null);
      } finally {
        await platform.close();
      }
    });
}
