// Server jars come from Maven Central through the machine's Maven. Pinning the dependency plugin
// matters: Maven 3.8's default (2.8) lacks the `unpack`/`copy-dependencies` behaviour used here.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../exec.ts';

const dependencyPlugin = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

export interface MavenDependency {
  groupId: string;
  artifactId: string;
  version: string;
}

/** Copies the runtime classpath of `dependencies` (with transitive jars) into `<dir>/libs`. */
export async function copyDependencies(dir: string, dependencies: MavenDependency[]): Promise<void> {
  const deps = dependencies
    .map(
      (d) =>
        `<dependency><groupId>${d.groupId}</groupId><artifactId>${d.artifactId}</artifactId><version>${d.version}</version></dependency>`,
    )
    .join('\n    ');
  const pom = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.parley.stack</groupId>
  <artifactId>classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    ${deps}
  </dependencies>
</project>
`;
  await writeFile(join(dir, 'pom.xml'), pom);
  await run(
    [
      'mvn',
      '-B',
      '-q',
      `${dependencyPlugin}:copy-dependencies`,
      '-DincludeScope=runtime',
      `-DoutputDirectory=${join(dir, 'libs')}`,
    ],
    { cwd: dir },
  );
}

/** Unpacks an archive artifact (`group:artifact:version:type:classifier`) into `dir`. */
export async function unpackArtifact(dir: string, coordinates: string): Promise<void> {
  await run(
    [
      'mvn',
      '-B',
      '-q',
      `${dependencyPlugin}:unpack`,
      `-Dartifact=${coordinates}`,
      `-DoutputDirectory=${dir}`,
    ],
    {
      cwd: dir,
    },
  );
}
