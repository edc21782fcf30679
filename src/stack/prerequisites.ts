import { spawnSync } from 'node:child_process';
import { StackPrerequisiteError } from './errors';

const MIN_JAVA = 17;

/** Java 17+ runs Kafka 4.x and Debezium 3.5; checked before any JVM is started. */
export function assertJava(env?: NodeJS.ProcessEnv): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8', ...(env ? { env } : {}) });
  if (result.error || result.status !== 0) {
    throw new StackPrerequisiteError(
      'Java is missing: the local CDC stack runs Kafka and Debezium on Java 17 or newer. ' +
        'Install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) and make sure `java` is on PATH.',
      { cause: result.error },
    );
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const major = match ? Number(match[1] === '1' ? match[2] : match[1]) : NaN;
  if (!(major >= MIN_JAVA)) {
    throw new StackPrerequisiteError(
      `Java ${MIN_JAVA}+ is required, found: ${result.stderr.split('\n')[0] ?? 'unknown'}. Install openjdk-17 or newer and put it first on PATH.`,
    );
  }
}

/** Maven resolves the jars; needed only when the cache is empty or stale. */
export function assertMaven(env?: NodeJS.ProcessEnv): void {
  const result = spawnSync('mvn', ['-v'], { encoding: 'utf8', ...(env ? { env } : {}) });
  if (result.error || result.status !== 0) {
    throw new StackPrerequisiteError(
      'Maven is missing: the stack downloads Kafka and Debezium from Maven Central with it. ' +
        'Install it (Debian/Ubuntu: apt-get install maven) and make sure `mvn` is on PATH.',
      { cause: result.error },
    );
  }
}

/** The MariaDB server binaries of the CDC instance. */
export function assertMariadb(env?: NodeJS.ProcessEnv): void {
  for (const tool of ['mariadbd', 'mariadb-install-db']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8', ...(env ? { env } : {}) });
    if (found.status !== 0) {
      throw new StackPrerequisiteError(
        `${tool} is missing: the stack runs its own MariaDB instance. Install it (Debian/Ubuntu: apt-get install mariadb-server).`,
      );
    }
  }
}
