import { missingPrivileges, parseGrants } from '../../../src/ops/grants';

describe('parseGrants / missingPrivileges', () => {
  it('reads global, database and table grants and the BINLOG MONITOR alias', () => {
    const grants = parseGrants([
      "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `debezium`@`%` IDENTIFIED BY PASSWORD '*ABC'",
      'GRANT SELECT ON `ixcprovedor`.* TO `debezium`@`%`',
      'GRANT INSERT, UPDATE ON `ixcprovedor`.`licencas_iot` TO `debezium`@`%`',
      'GRANT SELECT (`id`, `nome`) ON `ixcprovedor`.`cliente` TO `debezium`@`%`',
      'GRANT PROXY ON ``@`%` TO `debezium`@`%`',
    ]);
    expect(missingPrivileges(grants, ['REPLICATION SLAVE', 'BINLOG MONITOR', 'RELOAD'], '*')).toEqual(['RELOAD']);
    expect(missingPrivileges(grants, ['SELECT'], 'ixcprovedor', 'cliente_contrato')).toEqual([]);
    expect(missingPrivileges(grants, ['SELECT'], 'other', 'x')).toEqual(['SELECT']);
    expect(missingPrivileges(grants, ['INSERT', 'DELETE'], 'ixcprovedor', 'licencas_iot')).toEqual(['DELETE']);
    expect(missingPrivileges(grants, ['INSERT'], 'ixcprovedor', 'cliente')).toEqual(['INSERT']);
  });

  it('treats ALL PRIVILEGES as everything but GRANT OPTION, and database names as LIKE patterns', () => {
    const grants = parseGrants(['GRANT ALL PRIVILEGES ON `ixc\\_sync%`.* TO `w`@`localhost`']);
    expect(missingPrivileges(grants, ['SELECT', 'DELETE'], 'ixc_sync_test_1', 't')).toEqual([]);
    expect(missingPrivileges(grants, ['SELECT'], 'ixcXsync', 't')).toEqual(['SELECT']);
    expect(missingPrivileges(grants, ['GRANT OPTION'], 'ixc_sync', 't')).toEqual(['GRANT OPTION']);
    expect(missingPrivileges(grants, ['SELECT'], '*')).toEqual(['SELECT']);
  });
});
