import type { Command } from 'commander';
import { createAppDataSource } from '../../entities/create-data-source';
import { maskSecret } from '../../lib/mask';
import type { CliContext } from '../cli-context';
import { readSecretFromStdin } from './integration-secret';
import { CliUsageError } from '../exit-codes';

/** Parameters: id. */
const FIND_SQL = 'SELECT id, client_id AS clientId, client_secret AS clientSecret FROM integracoes_iot WHERE id = ?';
/** Parameters: id, name, client id, client secret. */
const INSERT_SQL = 'INSERT INTO integracoes_iot (id, integracao, client_id, client_secret) VALUES (?, ?, ?, ?)';
/**
 * Parameters: client id, client secret, name, client id, client secret, id. The cached token is
 * dropped when the credentials change (it belongs to the old client). MariaDB assigns left to
 * right, so the token columns are compared before the credentials are overwritten.
 */
const UPDATE_SQL = `UPDATE integracoes_iot SET
    access_token = IF(client_id <=> ? AND client_secret <=> ?, access_token, NULL),
    data_atualizacao_token = IF(access_token IS NULL, NULL, data_atualizacao_token),
    integracao = COALESCE(?, integracao), client_id = ?, client_secret = ?
  WHERE id = ?`;

export function registerIntegrationCommand(program: Command, ctx: CliContext): void {
  const integration = program.command('integration').description("The platform credentials in IXC's integracoes_iot");
  integration
    .command('set')
    .description('Create or update the integracoes_iot row (secret from IOT_CLIENT_SECRET or --secret-stdin; never echoed)')
    .option('--id <id>', 'integracoes_iot.id (default IOT_INTEGRATION_ID)')
    .option('--name <name>', 'integracoes_iot.integracao label')
    .option('--client-id <clientId>', 'client id (default IOT_CLIENT_ID)')
    .option('--secret-stdin', 'read the client secret from stdin instead of IOT_CLIENT_SECRET')
    .action(async (flags: { id?: string; name?: string; clientId?: string; secretStdin?: boolean }) => {
      const config = ctx.config();
      const id = flags.id === undefined ? config.iot.integrationId : Number(flags.id);
      if (!Number.isInteger(id) || id <= 0) throw new CliUsageError(`--id must be a positive integer, got "${flags.id ?? ''}"`);
      const clientId = flags.clientId ?? config.iot.clientId;
      if (!clientId) throw new CliUsageError('A client id is required: --client-id or IOT_CLIENT_ID');
      const secret = flags.secretStdin ? await readSecretFromStdin('Client secret: ') : config.iot.clientSecret;
      if (!secret) throw new CliUsageError('A client secret is required: IOT_CLIENT_SECRET or --secret-stdin');
      const { dataSource } = createAppDataSource(config.db);
      await dataSource.initialize();
      try {
        const existing = (await dataSource.query(FIND_SQL, [id])) as unknown[];
        if (existing.length === 0) {
          await dataSource.query(INSERT_SQL, [id, flags.name ?? 'Olli IoT', clientId, secret]);
          ctx.print(`Integration ${id} created: client id ${clientId}, secret ${maskSecret(secret)}.`);
        } else {
          await dataSource.query(UPDATE_SQL, [clientId, secret, flags.name ?? null, clientId, secret, id]);
          ctx.print(`Integration ${id} updated: client id ${clientId}, secret ${maskSecret(secret)}.`);
        }
      } finally {
        await dataSource.destroy();
      }
    });
}
