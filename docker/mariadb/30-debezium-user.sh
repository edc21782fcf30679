# Sourced by the mariadb image's entrypoint on an empty datadir (docker_process_sql is its helper).
# The connector's user gets only what it needs: SELECT on the captured database, REPLICATION SLAVE
# to read the binlog, BINLOG MONITOR (REPLICATION CLIENT) for SHOW MASTER STATUS / SHOW BINARY LOGS.
# No RELOAD: the connector snapshots with snapshot.locking.mode=none. Same grants as src/stack.
docker_process_sql --database=mysql <<SQL
CREATE USER IF NOT EXISTS 'debezium'@'%' IDENTIFIED BY '${DEBEZIUM_DB_PASSWORD}';
GRANT SELECT ON \`${MARIADB_DATABASE}\`.* TO 'debezium'@'%';
GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'debezium'@'%';
SQL
