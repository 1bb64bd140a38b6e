/**
 * Builds the container image and runs its entrypoint, where a container builder is on the machine.
 * This machine's CI has the docker client but no docker engine (`docker info` fails): the test is
 * skipped there, with the reason below; the Dockerfile's shape is checked in test/unit/deploy.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { PACKAGE_ROOT, VERSION } from '../../../core/package-info.js';

const builder = spawnSync('docker', ['info'], { stdio: 'ignore', timeout: 20_000 }).status === 0;
const TAG = 'strangler:ci-test';

// Skipped without a docker engine: there is nothing to build the image with.
(builder ? it : it.skip)(
  'docker build makes an image whose entrypoint is strangler, running as a non-root user',
  () => {
    execFileSync('docker', ['build', '-t', TAG, PACKAGE_ROOT], { stdio: 'inherit', timeout: 900_000 });
    try {
      expect(execFileSync('docker', ['run', '--rm', TAG, '--version'], { encoding: 'utf8' }).trim()).toBe(VERSION);
      expect(execFileSync('docker', ['run', '--rm', '--entrypoint', 'id', TAG, '-u'], { encoding: 'utf8' }).trim()).not.toBe('0');
    } finally {
      spawnSync('docker', ['rmi', '-f', TAG], { stdio: 'ignore' });
    }
  },
  1_000_000,
);
