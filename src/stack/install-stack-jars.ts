import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { StackDownloadError } from './errors';
import { assertMaven } from './prerequisites';
import { REPO_ROOT, type StackLayout } from './stack-layout';
import { STACK_VERSIONS, type StackVersions } from './stack-versions';

const POM_DIR = path.join(REPO_ROOT, 'scripts', 'cdc');
const PLUGIN_DIR_NAME = 'debezium-connector-mariadb';

/** Where `installStackJars` puts the Prometheus JMX exporter agent Connect runs with. */
export function jmxExporterJar(layout: StackLayout, versions: StackVersions = STACK_VERSIONS): string {
  return path.join(layout.agents, `jmx_prometheus_javaagent-${versions.jmxExporter}.jar`);
}

interface InstallResult {
  /** False when the version stamp matched and nothing was downloaded. */
  downloaded: boolean;
  durationMs: number;
}

/**
 * Makes sure `lib/` (broker, Connect, Log4j2) and `plugins/` (Debezium) hold the jars of
 * STACK_VERSIONS. A stamp file with the versions lets reruns, and fresh clones sharing the
 * cache, skip Maven entirely.
 */
export async function installStackJars(
  layout: StackLayout,
  report: (line: string) => void,
  versions: StackVersions = STACK_VERSIONS,
  env?: NodeJS.ProcessEnv,
): Promise<InstallResult> {
  const started = Date.now();
  if (stampMatches(layout, versions)) return { downloaded: false, durationMs: Date.now() - started };
  assertMaven(env);
  report(`Resolving Kafka ${versions.kafka}, Debezium ${versions.debezium} and the JMX exporter ${versions.jmxExporter} from Maven Central into ${layout.home} ...`);
  rmSync(layout.stampFile, { force: true });
  rmSync(layout.lib, { recursive: true, force: true });
  rmSync(layout.plugins, { recursive: true, force: true });
  rmSync(layout.agents, { recursive: true, force: true });
  mkdirSync(layout.lib, { recursive: true });
  mkdirSync(layout.plugins, { recursive: true });
  mkdirSync(layout.agents, { recursive: true });
  const plugin = `org.apache.maven.plugins:maven-dependency-plugin:${versions.mavenDependencyPlugin}`;
  const logFile = path.join(layout.logsDir, 'maven.log');
  // Maven writes target/ (unpack markers) beside the POM: run copies under the stack home, not the clone.
  const pomDir = path.join(layout.home, 'maven');
  rmSync(pomDir, { recursive: true, force: true });
  mkdirSync(pomDir, { recursive: true });
  for (const pom of ['kafka-pom.xml', 'debezium-pom.xml']) copyFileSync(path.join(POM_DIR, pom), path.join(pomDir, pom));

  await runMaven(
    ['-f', path.join(pomDir, 'kafka-pom.xml'), `${plugin}:copy-dependencies`, '-DincludeScope=runtime',
      `-Dkafka.version=${versions.kafka}`, `-Dlog4j.version=${versions.log4j}`, `-DoutputDirectory=${layout.lib}`],
    logFile, report, env,
  );
  await runMaven(
    ['-f', path.join(pomDir, 'kafka-pom.xml'), `${plugin}:copy`,
      `-Dartifact=io.prometheus.jmx:jmx_prometheus_javaagent:${versions.jmxExporter}`, `-DoutputDirectory=${layout.agents}`],
    logFile, report, env,
  );
  try {
    await runMaven(
      ['-f', path.join(pomDir, 'debezium-pom.xml'), `${plugin}:unpack`,
        `-Dartifact=io.debezium:debezium-connector-mariadb:${versions.debezium}:tar.gz:plugin`,
        `-DoutputDirectory=${layout.plugins}`, '-Dmdep.overWriteReleases=true'],
      logFile, report, env,
    );
  } catch (err) {
    if (!(err instanceof StackDownloadError) || /unreachable/.test(err.message)) throw err;
    // The plugin archive is not always published; the connector's own dependencies minus the
    // Kafka APIs (Connect provides them) make the same plugin directory.
    report('The Debezium plugin archive is not available; resolving the connector jars one by one instead.');
    await runMaven(
      ['-f', path.join(pomDir, 'debezium-pom.xml'), `${plugin}:copy-dependencies`, '-DincludeScope=runtime',
        `-Ddebezium.version=${versions.debezium}`, '-DexcludeGroupIds=org.apache.kafka',
        `-DoutputDirectory=${path.join(layout.plugins, PLUGIN_DIR_NAME)}`],
      logFile, report, env,
    );
  }
  rmSync(pomDir, { recursive: true, force: true });
  assertOneSlf4jBinding(layout.lib);
  assertPluginPresent(layout.plugins, versions.debezium);
  if (!existsSync(jmxExporterJar(layout, versions))) throw new StackDownloadError(`Maven finished but ${jmxExporterJar(layout, versions)} is missing; see ${logFile}`);
  writeFileSync(layout.stampFile, `${JSON.stringify(versions, null, 2)}\n`);
  const durationMs = Date.now() - started;
  report(`Jars ready in ${(durationMs / 1000).toFixed(1)} s.`);
  return { downloaded: true, durationMs };
}

function stampMatches(layout: StackLayout, versions: StackVersions): boolean {
  const pluginJar = path.join(layout.plugins, PLUGIN_DIR_NAME, `debezium-connector-mariadb-${versions.debezium}.jar`);
  if (!existsSync(layout.stampFile) || !existsSync(pluginJar) || !existsSync(jmxExporterJar(layout, versions))) return false;
  try {
    const stamp = JSON.parse(readFileSync(layout.stampFile, 'utf8')) as Record<string, unknown>;
    return Object.entries(versions).every(([k, v]) => stamp[k] === v);
  } catch {
    return false;
  }
}

/** Runs mvn, appending its output to `logFile` and reporting each downloaded jar as progress. */
function runMaven(args: string[], logFile: string, report: (line: string) => void, env?: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', ['-B', ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env } : {}) });
    const output: string[] = [];
    let jars = 0;
    const onLine = (line: string): void => {
      output.push(line);
      const done = /Downloaded from [^:]+: \S+\/([^/\s]+\.(?:jar|tar\.gz)) \(([^)]+)\)/.exec(line);
      if (done) {
        jars += 1;
        report(`  [${jars}] ${done[1]} (${done[2]})`);
      }
    };
    readline.createInterface({ input: child.stdout }).on('line', onLine);
    readline.createInterface({ input: child.stderr }).on('line', onLine);
    child.once('error', (err) => reject(new StackDownloadError(`could not run mvn: ${err.message}`, { cause: err })));
    child.once('close', (code) => {
      writeFileSync(logFile, `${output.join('\n')}\n`, { flag: 'a' });
      if (code === 0) return resolve();
      const text = output.join('\n');
      if (/UnknownHost|Connection refused|Connect timed out|Network is unreachable|Could not transfer artifact|No route to host/i.test(text)) {
        return reject(
          new StackDownloadError(
            'Maven Central is unreachable (https://repo.maven.apache.org). Allow outbound HTTPS to it (or configure a ' +
              `Maven mirror in ~/.m2/settings.xml), then rerun \`stack up\`. Maven's output: ${logFile}`,
          ),
        );
      }
      const reason = output.filter((l) => l.startsWith('[ERROR]')).slice(0, 3).join(' ');
      reject(new StackDownloadError(`Maven failed (exit ${code}): ${reason || 'see log'}. Full output: ${logFile}`));
    });
  });
}

function assertPluginPresent(plugins: string, version: string): void {
  const dir = path.join(plugins, PLUGIN_DIR_NAME);
  const jar = `debezium-connector-mariadb-${version}.jar`;
  if (!existsSync(path.join(dir, jar))) throw new StackDownloadError(`Maven finished but ${jar} is not in ${dir}; see ${plugins}/../logs/maven.log`);
}

/** Exactly one SLF4J binding on the broker/Connect classpath, or the JVMs log nothing (or warn forever). */
function assertOneSlf4jBinding(lib: string): void {
  const bindings = readdirSync(lib).filter((f) => /^(log4j-slf4j2?-impl|slf4j-(simple|reload4j|log4j12|jdk14)|logback-classic)-/.test(f));
  if (bindings.length !== 1) {
    throw new StackDownloadError(`Expected exactly one SLF4J binding in ${lib}, found: ${bindings.join(', ') || 'none'}`);
  }
}
