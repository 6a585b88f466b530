import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, startAzurite, type RunningAzurite } from '../../runtime/azurite';
import { selfSignedCertificate } from '../helpers/certificate';

/**
 * End to end through the identity path: an Azurite of its own, over HTTPS with a throw-away self-signed
 * certificate and `--oauth basic`, reached by createStorageClients from identity-based settings with a test
 * credential. Storage SDKs refuse to send bearer tokens over plain HTTP, hence HTTPS; the probe runs in a
 * child process started with NODE_EXTRA_CA_CERTS so that it trusts the certificate without switching TLS
 * verification off.
 */

function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const haveOpenssl = opensslAvailable();
if (!haveOpenssl) console.warn('identityAzurite: openssl not found, skipping the HTTPS/OAuth end-to-end test.');
const describeIfOpenssl = haveOpenssl ? describe : describe.skip;

describeIfOpenssl('identity path against Azurite with OAuth over HTTPS', () => {
  let dir: string;
  let azurite: RunningAzurite | undefined;

  beforeAll(async () => {
    const certificate = selfSignedCertificate('azurite-oauth-');
    dir = certificate.dir;
    const [cert, key] = [certificate.certFile, certificate.keyFile];
    const ports = { blob: await freePort(), queue: await freePort(), table: await freePort() };
    azurite = await startAzurite({ ports, tls: { cert, key }, oauth: 'basic' });
  });

  afterAll(async () => {
    await azurite?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS endpoints', () => {
    expect(azurite!.endpoints!.blob).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    expect(azurite!.connectionString).toContain('DefaultEndpointsProtocol=https');
  });

  it('writes and reads blobs and table entities with the bearer token of the supplied credential', () => {
    const result = spawnSync(
      process.execPath,
      ['-r', path.join(__dirname, 'fixtures', 'register-ts.js'), path.join(__dirname, 'fixtures', 'identityProbe.ts')],
      {
        env: {
          ...process.env,
          NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem'),
          PROBE_ENDPOINTS: JSON.stringify(azurite!.endpoints),
        },
        encoding: 'utf8',
        timeout: 50000,
      },
    );
    if (result.status !== 0) throw new Error(`probe failed (${result.status}): ${result.stderr}`);
    const probe = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(probe.mode).toBe('identity');
    expect(probe.blobUrl.startsWith(`${azurite!.endpoints!.blob}/`)).toBe(true);
    expect(probe.tableUrl.startsWith(azurite!.endpoints!.table)).toBe(true);
    expect(probe.downloaded).toBe('a,b\n1,2\n');
    expect(probe.entityStatus).toBe('succeeded');
    expect(probe.scopes).toEqual(['https://storage.azure.com/.default']);
    expect(probe.tokenRequests).toBeGreaterThanOrEqual(2); // blob and table clients each asked
    expect(probe.wrongAudience).toBe(403);
  });
});
