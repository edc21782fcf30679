import { excessPrivileges, missingPrivileges, parseGrants, workerGrantStatements } from '../../../src/ops/grants';

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

describe('worker grants: exactly what it needs, nothing more', () => {
  it("the README's statements give every privilege doctor checks and no DDL", () => {
    const grants = parseGrants(workerGrantStatements('ixcprovedor', 'ixc_iot_sync', '`w`@`%`'));
    expect(missingPrivileges(grants, ['SELECT'], 'ixcprovedor', 'cliente_contrato')).toEqual([]);
    for (const t of ['integracoes_iot', 'licencas_iot', 'licencas_produtos_iot']) {
      expect(missingPrivileges(grants, ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], 'ixcprovedor', t)).toEqual([]);
    }
    expect(missingPrivileges(grants, ['INSERT'], 'ixcprovedor', 'cliente_contrato')).toEqual(['INSERT']);
    expect(excessPrivileges(grants)).toEqual([]);
  });

  it('names DDL and administrative privileges, and ALL', () => {
    expect(
      excessPrivileges(
        parseGrants([
          'GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION',
          'GRANT SELECT, CREATE, DROP ON `ixcprovedor`.* TO `w`@`%`',
          'GRANT ALTER ON `ixc_iot_sync`.`contract_sync` TO `w`@`%`',
        ]),
      ),
    ).toEqual(['ALL PRIVILEGES ON *.*', 'CREATE ON ixcprovedor.*', 'DROP ON ixcprovedor.*', 'ALTER ON ixc_iot_sync.contract_sync']);
  });
});
