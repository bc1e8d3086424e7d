/**
 * A real OpenLDAP server for tests: Debian's `slapd` (apt-get install slapd ldap-utils) as a
 * child process on a free loopback port, with a slapd.conf, an mdb database in a fresh temp
 * directory, and seed entries loaded offline with slapadd before it starts.
 *
 * Directory layout: dc=example,dc=org with ou=people (inetOrgPerson users, SSHA passwords) and
 * ou=groups (groupOfNames). A read-only service account cn=reader,dc=example,dc=org searches.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Attribute, Change, Client } from 'ldapts';
import { cleanUpOnExit, killAndWait, stderrTail } from './child-process.js';

const run = promisify(execFile);
const SLAPD = process.env.FRAMEWISE_TEST_SLAPD ?? '/usr/sbin/slapd';
const SLAPADD = process.env.FRAMEWISE_TEST_SLAPADD ?? '/usr/sbin/slapadd';
const READY_TIMEOUT_MS = 20_000;

export const LDAP_BASE = 'dc=example,dc=org';
export const LDAP_READER = { dn: `cn=reader,${LDAP_BASE}`, password: 'reader-secret' };
const ROOT = { dn: `cn=admin,${LDAP_BASE}`, password: 'root-secret' };

export interface LdapSeedUser {
  uid: string;
  password: string;
  mail?: string;
  givenName?: string;
  sn?: string;
}

export interface LdapSeedGroup {
  cn: string;
  members: string[];
}

export interface SlapdHandle {
  url: string;
  base: string;
  peopleDn: string;
  groupsDn: string;
  userDn(uid: string): string;
  groupDn(cn: string): string;
  /** Changes a user's attributes as a directory administrator would. */
  modifyUser(uid: string, changes: Partial<Omit<LdapSeedUser, 'uid' | 'password'>>): Promise<void>;
  /**
   * Adds or removes a user as a group `member`, as a directory administrator would. A
   * groupOfNames needs at least one member: keep another one in groups a test empties.
   */
  setMembership(group: string, uid: string, member: boolean): Promise<void>;
  stop(): Promise<void>;
}

function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function seedLdif(users: LdapSeedUser[], groups: LdapSeedGroup[]): string {
  const people = `ou=people,${LDAP_BASE}`;
  const groupBase = `ou=groups,${LDAP_BASE}`;
  const entries = [
    `dn: ${LDAP_BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example`,
    `dn: ${LDAP_READER.dn}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: reader\nuserPassword: ${ssha(LDAP_READER.password)}`,
    `dn: ${people}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ${groupBase}\nobjectClass: organizationalUnit\nou: groups`,
    ...users.map((u) =>
      [
        `dn: uid=${u.uid},${people}`,
        'objectClass: inetOrgPerson',
        `uid: ${u.uid}`,
        `cn: ${[u.givenName, u.sn].filter(Boolean).join(' ') || u.uid}`,
        `sn: ${u.sn ?? u.uid}`,
        ...(u.givenName ? [`givenName: ${u.givenName}`] : []),
        ...(u.mail ? [`mail: ${u.mail}`] : []),
        `userPassword: ${ssha(u.password)}`,
      ].join('\n'),
    ),
    ...groups.map((g) =>
      [`dn: cn=${g.cn},${groupBase}`, 'objectClass: groupOfNames', `cn: ${g.cn}`, ...g.members.map((m) => `member: uid=${m},${people}`)].join('\n'),
    ),
  ];
  return `${entries.join('\n\n')}\n`;
}

function slapdConf(dir: string): string {
  return [
    'include /etc/ldap/schema/core.schema',
    'include /etc/ldap/schema/cosine.schema',
    'include /etc/ldap/schema/nis.schema',
    'include /etc/ldap/schema/inetorgperson.schema',
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    `pidfile ${path.join(dir, 'slapd.pid')}`,
    `argsfile ${path.join(dir, 'slapd.args')}`,
    'database mdb',
    'maxsize 16777216',
    `suffix "${LDAP_BASE}"`,
    `rootdn "${ROOT.dn}"`,
    `rootpw ${ROOT.password}`,
    `directory ${path.join(dir, 'db')}`,
    // As in a real deployment: passwords are only usable to bind, never readable.
    'access to attrs=userPassword by anonymous auth by self write by * none',
    'access to * by users read by anonymous auth',
    '',
  ].join('\n');
}

export async function startSlapd(seed: { users: LdapSeedUser[]; groups: LdapSeedGroup[] }): Promise<SlapdHandle> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'framewise-slapd-'));
  await mkdir(path.join(dir, 'db'));
  const conf = path.join(dir, 'slapd.conf');
  await writeFile(conf, slapdConf(dir));
  await writeFile(path.join(dir, 'seed.ldif'), seedLdif(seed.users, seed.groups));
  await run(SLAPADD, ['-f', conf, '-l', path.join(dir, 'seed.ldif')]);

  const port = await freePort();
  const url = `ldap://127.0.0.1:${port}`;
  // -d keeps slapd in the foreground so it is our child and dies with us.
  const child = spawn(SLAPD, ['-f', conf, '-h', `${url}/`, '-d', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr = stderrTail(child);
  const forgetExitHook = cleanUpOnExit(child, dir);

  try {
    await waitReady(url, child, stderr);
  } catch (err) {
    forgetExitHook();
    await killAndWait(child);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  const people = `ou=people,${LDAP_BASE}`;
  const groupsDn = `ou=groups,${LDAP_BASE}`;
  return {
    url,
    base: LDAP_BASE,
    peopleDn: people,
    groupsDn,
    userDn: (uid) => `uid=${uid},${people}`,
    groupDn: (cn) => `cn=${cn},${groupsDn}`,
    async modifyUser(uid, changes) {
      const list = Object.entries(changes)
        .filter(([, v]) => v !== undefined)
        .map(([type, v]) => new Change({ operation: 'replace', modification: new Attribute({ type, values: [String(v)] }) }));
      await asRoot(url, (client) => client.modify(`uid=${uid},${people}`, list));
    },
    async setMembership(group, uid, member) {
      const change = new Change({
        operation: member ? 'add' : 'delete',
        modification: new Attribute({ type: 'member', values: [`uid=${uid},${people}`] }),
      });
      await asRoot(url, (client) => client.modify(`cn=${group},${groupsDn}`, change));
    },
    async stop() {
      forgetExitHook();
      await killAndWait(child);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function asRoot(url: string, fn: (client: Client) => Promise<void>): Promise<void> {
  const client = new Client({ url });
  try {
    await client.bind(ROOT.dn, ROOT.password);
    await fn(client);
  } finally {
    await client.unbind();
  }
}

async function waitReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`slapd exited with ${child.exitCode}: ${stderr()}`);
    const client = new Client({ url, connectTimeout: 1000 });
    try {
      await client.bind(LDAP_READER.dn, LDAP_READER.password);
      await client.unbind();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`slapd did not answer within ${READY_TIMEOUT_MS} ms: ${stderr()}`);
}

