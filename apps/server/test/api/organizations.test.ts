import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/app.js';

// ../shared beside the repository root, as CI and developers have it; a user's clone may not.
const CVAT_ASSETS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../shared/cvat-api/assets');

/** Keys of CVAT's real responses, else the keys its schema documents. */
function cvatKeys(file: string, fallback: string[]): string[] {
  const p = path.join(CVAT_ASSETS, file);
  if (!fs.existsSync(p)) return [...fallback].sort();
  return Object.keys(JSON.parse(fs.readFileSync(p, 'utf8')).results[0]).sort();
}

const ORG_KEYS = cvatKeys('organizations.json', ['contact', 'created_date', 'description', 'id', 'name', 'owner', 'slug', 'updated_date']);
const MEMBERSHIP_KEYS = cvatKeys('memberships.json', ['id', 'invitation', 'is_active', 'joined_date', 'organization', 'role', 'user']);
const INVITATION_KEYS = cvatKeys('invitations.json', [
  'accepted', 'created_date', 'expired', 'key', 'organization', 'organization_info', 'owner', 'role', 'user',
]);
const BASIC_USER_KEYS = ['first_name', 'id', 'last_name', 'url', 'username'];

type Client = ApiClient & { id: number };

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ workers: false });
});
afterAll(async () => {
  await s?.close();
});

const inOrg = (slug: string) => ({ 'x-organization': slug });

/** A user with an email address, so that invitations can find them. */
async function person(name: string): Promise<Client> {
  const client = await s.user(name);
  await s.ctx.repos.users.update(client.id, { email: `${name}@example.com` });
  return client;
}

async function makeOrg(owner: ApiClient, slug: string): Promise<{ id: number; slug: string }> {
  const res = await owner.post('/api/organizations', { slug, name: `Org ${slug}` });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

function invite(by: ApiClient, slug: string, email: string, role: string) {
  return by.post('/api/invitations', { email, role }, inOrg(slug));
}

/** Invites `member` and has them accept: they are then an active member with `role`. */
async function join(by: ApiClient, slug: string, member: Client, name: string, role: string): Promise<number> {
  const inv = await invite(by, slug, `${name}@example.com`, role);
  expect(inv.status, JSON.stringify(inv.body)).toBe(201);
  const accepted = await member.post(`/api/invitations/${inv.body.key}/accept`);
  expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
  return membershipOf(by, slug, member.id);
}

async function membershipOf(viewer: ApiClient, slug: string, userId: number): Promise<number> {
  const list = await viewer.get('/api/memberships?page_size=all', inOrg(slug));
  expect(list.status).toBe(200);
  const m = list.body.results.find((r: any) => r.user.id === userId);
  expect(m, `membership of user ${userId} in ${slug}`).toBeTruthy();
  return m.id;
}

async function auditEvents(action: string): Promise<any[]> {
  const res = await s.admin.get(`/api/audit-events?page_size=all&action=${action}`);
  expect(res.status).toBe(200);
  return res.body.results;
}

describe('organizations', () => {
  it("creates an organization in CVAT's shape; its creator is the owner and an active member", async () => {
    const alice = await person('alice');
    const res = await alice.post('/api/organizations', {
      slug: 'acme', name: 'Acme Inc.', description: 'we make things', contact: { email: 'team@acme.test' },
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(ORG_KEYS);
    expect(res.body).toMatchObject({ slug: 'acme', name: 'Acme Inc.', description: 'we make things', contact: { email: 'team@acme.test' } });
    expect(Object.keys(res.body.owner).sort()).toEqual(BASIC_USER_KEYS);
    expect(res.body.owner).toEqual({ id: alice.id, username: 'alice', first_name: '', last_name: '', url: `${s.url}/api/users/${alice.id}` });
    expect(Date.parse(res.body.created_date)).not.toBeNaN();

    const members = await alice.get('/api/memberships', inOrg('acme'));
    expect(members.status).toBe(200);
    expect(members.body.count).toBe(1);
    const m = members.body.results[0];
    expect(Object.keys(m).sort()).toEqual(MEMBERSHIP_KEYS);
    expect(m).toMatchObject({ organization: res.body.id, role: 'owner', is_active: true, invitation: null, user: { id: alice.id, username: 'alice' } });
    expect(m.joined_date).not.toBeNull();

    const mine = await alice.get('/api/organizations');
    expect(mine.body.results.map((o: any) => o.slug)).toContain('acme');
    expect((await alice.get(`/api/organizations/${res.body.id}`)).body.slug).toBe('acme');

    const created = (await auditEvents('organization.created')).find((e) => e.details.organization?.slug === 'acme');
    expect(created).toMatchObject({ actor: { id: alice.id, username: 'alice' }, details: { organization: { id: res.body.id, slug: 'acme' }, role: 'owner' } });
  });

  it('refuses a slug taken in any case, or not made of letters, digits, - and _, naming slug', async () => {
    const ben = await person('ben');
    await makeOrg(ben, 'Taken_1');
    for (const slug of ['taken_1', 'TAKEN_1', 'a b', 'x'.repeat(17), '']) {
      const res = await ben.post('/api/organizations', { slug });
      expect(res.status, slug).toBe(400);
      expect(res.body.details[0].field, slug).toBe('slug');
    }
    const noSlug = await ben.post('/api/organizations', { name: 'nameless' });
    expect(noSlug.status).toBe(400);
    expect(noSlug.body.details[0].field).toBe('slug');
  });

  it('hides an organization from non-members: 404 by id and as X-Organization, 200 once they are members', async () => {
    const olga = await person('olga');
    const nick = await person('nick');
    const org = await makeOrg(olga, 'hidden');

    expect((await nick.get(`/api/organizations/${org.id}`)).status).toBe(404);
    expect((await nick.get('/api/projects', inOrg('hidden'))).status).toBe(404);
    expect((await nick.get(`/api/projects?org_id=${org.id}`)).status).toBe(404);
    expect((await nick.get('/api/organizations')).body.results.map((o: any) => o.slug)).not.toContain('hidden');
    expect((await nick.patch(`/api/organizations/${org.id}`, { name: 'mine now' })).status).toBe(404);
    expect((await nick.delete(`/api/organizations/${org.id}`)).status).toBe(404);
    expect((await olga.get('/api/projects', inOrg('hidden'))).status).toBe(200);
    // Administrators see every organization.
    expect((await s.admin.get(`/api/organizations/${org.id}`)).status).toBe(200);
    expect((await s.admin.get('/api/organizations?slug=hidden')).body.count).toBe(1);

    await join(olga, 'hidden', nick, 'nick', 'worker');
    expect((await nick.get(`/api/organizations/${org.id}`)).status).toBe(200);
    expect((await nick.get('/api/projects', inOrg('hidden'))).status).toBe(200);
  });

  it('lets the owner and maintainers edit the organization, slug included; workers get 403', async () => {
    const paula = await person('paula');
    const mike = await person('mike');
    const wendy = await person('wendy');
    const org = await makeOrg(paula, 'editable');
    await makeOrg(paula, 'other-org');
    await join(paula, 'editable', mike, 'mike', 'maintainer');
    await join(paula, 'editable', wendy, 'wendy', 'worker');

    const byMaintainer = await mike.patch(`/api/organizations/${org.id}`, { name: 'Renamed', contact: { phone: '123' } });
    expect(byMaintainer.status).toBe(200);
    expect(byMaintainer.body).toMatchObject({ name: 'Renamed', contact: { phone: '123' }, slug: 'editable' });
    expect((await wendy.patch(`/api/organizations/${org.id}`, { name: 'Mine' })).status).toBe(403);

    expect((await wendy.get('/api/projects', inOrg('editable'))).status).toBe(200);
    const clash = await paula.patch(`/api/organizations/${org.id}`, { slug: 'OTHER-ORG' });
    expect(clash.status).toBe(400);
    expect(clash.body.details[0].field).toBe('slug');
    const moved = await paula.patch(`/api/organizations/${org.id}`, { slug: 'edited' });
    expect(moved.status).toBe(200);
    expect(moved.body.slug).toBe('edited');
    // The old slug stops resolving at once (scopes are cached briefly).
    expect((await wendy.get('/api/projects', inOrg('editable'))).status).toBe(404);
    expect((await wendy.get('/api/projects', inOrg('edited'))).status).toBe(200);
  });

  it("keeps per-organization worker settings: defaults, members read, only owner and maintainers change", async () => {
    const sara = await person('sara');
    const walt = await person('walt');
    const org = await makeOrg(sara, 'settings');
    await join(sara, 'settings', walt, 'walt', 'worker');

    const initial = await walt.get(`/api/organizations/${org.id}/settings`);
    expect(initial.status).toBe(200);
    expect(initial.body).toEqual({ workers_can_export: false, workers_see_task: true, workers_change_completed_jobs: true });
    expect((await walt.patch(`/api/organizations/${org.id}/settings`, { workers_can_export: true })).status).toBe(403);
    const changed = await sara.patch(`/api/organizations/${org.id}/settings`, { workers_can_export: true, workers_see_task: false });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ workers_can_export: true, workers_see_task: false, workers_change_completed_jobs: true });
    expect((await walt.get(`/api/organizations/${org.id}/settings`)).body.workers_can_export).toBe(true);
    const bad = await sara.patch(`/api/organizations/${org.id}/settings`, { workers_can_export: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0].field).toBe('workers_can_export');
    expect((await (await person('outsider1')).get(`/api/organizations/${org.id}/settings`)).status).toBe(404);
  });
});

describe('invitations', () => {
  it('invites an existing user, who sees it, accepts it and becomes an active member', async () => {
    const ivy = await person('ivy');
    const jack = await person('jack');
    const org = await makeOrg(ivy, 'invites');

    // The address is matched regardless of case.
    const res = await invite(ivy, 'invites', 'JACK@Example.com', 'worker');
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(INVITATION_KEYS);
    expect(res.body).toMatchObject({
      role: 'worker', organization: org.id, organization_info: { id: org.id, slug: 'invites' }, accepted: false, expired: false,
      owner: { id: ivy.id, username: 'ivy' }, user: { id: jack.id, username: 'jack' },
    });
    expect(Object.keys(res.body.owner).sort()).toEqual(BASIC_USER_KEYS);
    expect(Object.keys(res.body.user).sort()).toEqual(BASIC_USER_KEYS);
    expect(res.body.key).toMatch(/^[A-Za-z0-9_-]{64}$/);
    const key = res.body.key;

    // The pending member shows on the organization's member list, inactive.
    const pending = (await ivy.get('/api/memberships', inOrg('invites'))).body.results.find((m: any) => m.user.id === jack.id);
    expect(pending).toMatchObject({ is_active: false, role: 'worker', joined_date: null, invitation: key });
    // Not yet a member: the organization stays hidden.
    expect((await jack.get(`/api/organizations/${org.id}`)).status).toBe(404);

    for (const headers of [undefined, inOrg('')]) {
      const mine = await jack.get('/api/invitations', headers);
      expect(mine.status).toBe(200);
      expect(mine.body.results.map((i: any) => i.key)).toContain(key);
    }
    expect((await jack.get(`/api/invitations?user_id=${jack.id}&accepted=false`)).body.results.map((i: any) => i.key)).toEqual([key]);
    expect((await jack.get(`/api/invitations/${key}`)).body.key).toBe(key);
    // Someone else entirely cannot see it.
    expect((await (await person('stranger1')).get(`/api/invitations/${key}`)).status).toBe(404);
    // The owner cannot accept on the invitee's behalf.
    expect((await ivy.post(`/api/invitations/${key}/accept`)).status).toBe(403);

    const accepted = await jack.post(`/api/invitations/${key}/accept`);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ organization_slug: 'invites' });
    const again = await jack.post(`/api/invitations/${key}/accept`);
    expect(again.status).toBe(400);
    expect(again.body.message).toMatch(/already been accepted/);

    const members = await jack.get('/api/memberships', inOrg('invites'));
    expect(members.status).toBe(200);
    const mine = members.body.results.find((m: any) => m.user.id === jack.id);
    expect(mine).toMatchObject({ is_active: true, role: 'worker', invitation: key });
    expect(mine.joined_date).not.toBeNull();
    expect((await jack.get(`/api/organizations/${org.id}`)).status).toBe(200);
    expect((await jack.get(`/api/invitations/${key}`)).body.accepted).toBe(true);
    // The personal workspace has no members.
    expect((await jack.get('/api/memberships', inOrg(''))).body.count).toBe(0);

    const events = await auditEvents('invitation.accepted');
    expect(events.find((e) => e.details.organization?.slug === 'invites')).toMatchObject({ actor: { id: jack.id }, details: { role: 'worker' } });
    expect((await auditEvents('invitation.created')).find((e) => e.details.organization?.slug === 'invites')).toMatchObject({
      actor: { id: ivy.id }, user: { id: jack.id }, details: { role: 'worker' },
    });
  });

  it('needs the organization named, and refuses an address that is already a member', async () => {
    const hank = await person('hank');
    await makeOrg(hank, 'needs-org');
    const noOrg = await hank.post('/api/invitations', { email: 'someone@example.com', role: 'worker' });
    expect(noOrg.status).toBe(400);
    expect(noOrg.body.message).toMatch(/X-Organization/);
    expect((await hank.post('/api/invitations', { email: 'someone@example.com', role: 'worker' }, inOrg(''))).status).toBe(400);

    const self = await invite(hank, 'needs-org', 'hank@example.com', 'worker');
    expect(self.status).toBe(400);
    expect(self.body.details[0].field).toBe('email');
    const badEmail = await invite(hank, 'needs-org', 'not-an-email', 'worker');
    expect(badEmail.status).toBe(400);
    expect(badEmail.body.details[0].field).toBe('email');
  });

  it('lets the invited user decline: membership and invitation are gone', async () => {
    const dora = await person('dora');
    const carl = await person('carl');
    await makeOrg(dora, 'declines');
    const inv = await invite(dora, 'declines', 'carl@example.com', 'supervisor');
    expect(inv.status).toBe(201);
    expect((await dora.post(`/api/invitations/${inv.body.key}/decline`)).status).toBe(403);

    expect((await carl.post(`/api/invitations/${inv.body.key}/decline`)).status).toBe(204);
    expect((await carl.get(`/api/invitations/${inv.body.key}`)).status).toBe(404);
    expect((await dora.get(`/api/invitations/${inv.body.key}`)).status).toBe(404);
    const members = await dora.get('/api/memberships', inOrg('declines'));
    expect(members.body.results.map((m: any) => m.user.id)).not.toContain(carl.id);
    expect((await carl.get('/api/projects', inOrg('declines'))).status).toBe(404);
    expect((await auditEvents('invitation.declined')).find((e) => e.details.organization?.slug === 'declines')).toMatchObject({
      actor: { id: carl.id }, details: { role: 'supervisor' },
    });
  });

  it('refuses an expired invitation until it is resent', async () => {
    const erin = await person('erin');
    const finn = await person('finn');
    await makeOrg(erin, 'expiring');
    const { key } = (await invite(erin, 'expiring', 'finn@example.com', 'worker')).body;
    await sql`update invitations set sent_at = now() - interval '8 days' where key = ${key}`.execute(s.ctx.database.db);

    expect((await finn.get(`/api/invitations/${key}`)).body.expired).toBe(true);
    const refused = await finn.post(`/api/invitations/${key}/accept`);
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/expired/);
    expect((await finn.get('/api/projects', inOrg('expiring'))).status).toBe(404);

    // Only managers or the inviter resend; the invitee cannot extend it themself.
    expect((await finn.post(`/api/invitations/${key}/resend`)).status).toBe(403);
    expect((await erin.post(`/api/invitations/${key}/resend`)).status).toBe(204);
    expect((await finn.get(`/api/invitations/${key}`)).body.expired).toBe(false);
    expect((await finn.post(`/api/invitations/${key}/accept`)).status).toBe(200);
    expect((await erin.post(`/api/invitations/${key}/resend`)).status).toBe(400);
  });

  it('lets the owner invite any role but owner, maintainers only workers and supervisors, workers nobody', async () => {
    const oscar = await person('oscar');
    const mona = await person('mona');
    const will = await person('will');
    await person('target1');
    await person('target2');
    await makeOrg(oscar, 'roles-inv');
    await join(oscar, 'roles-inv', mona, 'mona', 'maintainer');
    await join(oscar, 'roles-inv', will, 'will', 'worker');

    const asOwner = await invite(oscar, 'roles-inv', 'target1@example.com', 'owner');
    expect(asOwner.status).toBe(400);
    expect(asOwner.body.details[0].field).toBe('role');

    expect((await invite(mona, 'roles-inv', 'target1@example.com', 'maintainer')).status).toBe(403);
    const byMaintainer = await invite(mona, 'roles-inv', 'target1@example.com', 'supervisor');
    expect(byMaintainer.status).toBe(201);
    expect((await invite(will, 'roles-inv', 'target2@example.com', 'worker')).status).toBe(403);
    expect((await invite(oscar, 'roles-inv', 'target2@example.com', 'maintainer')).status).toBe(201);

    // The worker sees only their own (accepted) invitation; the maintainer sees both pending ones.
    const workerView = await will.get('/api/invitations', inOrg('roles-inv'));
    expect(workerView.body.results.map((i: any) => i.user.id)).toEqual([will.id]);
    const maintainerView = await mona.get('/api/invitations?accepted=false', inOrg('roles-inv'));
    expect(maintainerView.body.count).toBe(2);
    expect((await mona.get('/api/invitations?owner=mona', inOrg('roles-inv'))).body.count).toBe(1);

    // A maintainer cannot change or withdraw an invitation as maintainer; the owner can.
    const forMaintainer = maintainerView.body.results.find((i: any) => i.role === 'maintainer');
    expect((await mona.patch(`/api/invitations/${forMaintainer.key}`, { role: 'worker' })).status).toBe(403);
    expect((await mona.delete(`/api/invitations/${forMaintainer.key}`)).status).toBe(403);
    const lowered = await oscar.patch(`/api/invitations/${forMaintainer.key}`, { role: 'worker' });
    expect(lowered.status).toBe(200);
    expect(lowered.body.role).toBe('worker');
    expect((await oscar.delete(`/api/invitations/${forMaintainer.key}`)).status).toBe(204);
    const left = await oscar.get('/api/memberships?page_size=all', inOrg('roles-inv'));
    expect(left.body.results.map((m: any) => m.user.username)).not.toContain('target2');
    expect((await auditEvents('invitation.deleted')).find((e) => e.details.organization?.slug === 'roles-inv')).toBeTruthy();
  });

  it('deleting an accepted invitation keeps the membership', async () => {
    const gina = await person('gina');
    const hugo = await person('hugo');
    await makeOrg(gina, 'keeps');
    const membershipId = await join(gina, 'keeps', hugo, 'hugo', 'worker');
    const key = (await gina.get(`/api/memberships/${membershipId}`)).body.invitation;
    expect((await gina.delete(`/api/invitations/${key}`)).status).toBe(204);
    const m = await gina.get(`/api/memberships/${membershipId}`);
    expect(m.status).toBe(200);
    expect(m.body).toMatchObject({ is_active: true, invitation: null });
  });

  it('makes a placeholder for an unknown address, who registers with the key while registration is closed', async () => {
    const rita = await person('rita');
    const org = await makeOrg(rita, 'newcomers');
    const inv = await invite(rita, 'newcomers', 'New.Comer@example.com', 'worker');
    expect(inv.status).toBe(201);
    expect(inv.body.user.username).toBe('New.Comer');
    const placeholderId = inv.body.user.id;
    const placeholder = await s.admin.get(`/api/users/${placeholderId}`);
    expect(placeholder.body).toMatchObject({ is_active: false, email: 'New.Comer@example.com' });
    const key = inv.body.key;

    // Registration stays closed to anyone without an invitation.
    const closed = await s.client().post('/api/auth/register', { username: 'gatecrasher', email: 'x@example.com', password1: 'long-password-1', password2: 'long-password-1' });
    expect(closed.status).toBe(403);
    const body = { username: 'newcomer', email: 'new.comer@EXAMPLE.com', password1: 'long-password-1', password2: 'long-password-1', first_name: 'New', invitation: key };
    for (const bad of [{ invitation: 'no-such-key' }, { email: 'someone.else@example.com' }, { email: undefined }]) {
      const res = await s.client().post('/api/auth/register', { ...body, ...bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.details[0].field).toBe('invitation');
    }

    const registered = await s.client().post('/api/auth/register', body);
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    expect(registered.body).toMatchObject({ username: 'newcomer', first_name: 'New' });
    const login = await s.client().post('/api/auth/login', { username: 'newcomer', password: 'long-password-1' });
    expect(login.status).toBe(200);
    const newcomer = s.client(login.body.key);
    expect((await newcomer.get('/api/users/self')).body.id).toBe(placeholderId);
    expect((await newcomer.get(`/api/organizations/${org.id}`)).status).toBe(200);
    const m = (await newcomer.get('/api/memberships', inOrg('newcomers'))).body.results.find((r: any) => r.user.id === placeholderId);
    expect(m).toMatchObject({ is_active: true, role: 'worker' });
    expect((await newcomer.get(`/api/invitations/${key}`)).body.accepted).toBe(true);

    // The key is spent, and an existing account cannot be taken over with one.
    const reuse = await s.client().post('/api/auth/register', { ...body, username: 'newcomer2' });
    expect(reuse.status).toBe(400);
    expect(reuse.body.details[0].field).toBe('invitation');
    const existing = await invite(rita, 'newcomers', 'hugo@example.com', 'worker');
    expect(existing.status).toBe(201);
    const takeover = await s.client().post('/api/auth/register', { ...body, username: 'hugo2', email: 'hugo@example.com', invitation: existing.body.key });
    expect(takeover.status).toBe(400);
    expect(takeover.body.details[0].field).toBe('invitation');
    expect((await auditEvents('user.registered')).find((e) => e.user?.id === placeholderId)).toMatchObject({ details: { invitation: true } });
  });
});

describe('memberships', () => {
  it('follows CVAT role rules: owner manages all but themself, maintainers only lower roles, nobody becomes owner', async () => {
    const ola = await person('ola');
    const max = await person('max');
    const mia = await person('mia');
    const sam = await person('sam');
    const wes = await person('wes');
    await makeOrg(ola, 'roles');
    const maxM = await join(ola, 'roles', max, 'max', 'worker');
    const miaM = await join(ola, 'roles', mia, 'mia', 'maintainer');
    const samM = await join(ola, 'roles', sam, 'sam', 'supervisor');
    const wesM = await join(ola, 'roles', wes, 'wes', 'worker');
    const olaM = await membershipOf(ola, 'roles', ola.id);

    const promoted = await ola.patch(`/api/memberships/${maxM}`, { role: 'maintainer' });
    expect(promoted.status).toBe(200);
    expect(Object.keys(promoted.body).sort()).toEqual(MEMBERSHIP_KEYS);
    expect(promoted.body.role).toBe('maintainer');

    expect((await mia.patch(`/api/memberships/${maxM}`, { role: 'worker' })).status).toBe(403);
    expect((await mia.patch(`/api/memberships/${wesM}`, { role: 'maintainer' })).status).toBe(403);
    const bySupervisorRule = await mia.patch(`/api/memberships/${wesM}`, { role: 'supervisor' });
    expect(bySupervisorRule.status).toBe(200);
    expect(bySupervisorRule.body.role).toBe('supervisor');

    const toOwner = await ola.patch(`/api/memberships/${wesM}`, { role: 'owner' });
    expect(toOwner.status).toBe(400);
    expect(toOwner.body.details[0].field).toBe('role');
    expect((await mia.patch(`/api/memberships/${miaM}`, { role: 'supervisor' })).status).toBe(403);
    expect((await ola.patch(`/api/memberships/${olaM}`, { role: 'maintainer' })).status).toBe(403);
    expect((await mia.patch(`/api/memberships/${olaM}`, { role: 'worker' })).status).toBe(403);
    expect((await sam.patch(`/api/memberships/${wesM}`, { role: 'worker' })).status).toBe(403);
    // Even a change to the same role is refused to those who may not make it.
    expect((await sam.patch(`/api/memberships/${maxM}`, { role: 'maintainer' })).status).toBe(403);
    expect((await (await person('stranger2')).patch(`/api/memberships/${wesM}`, { role: 'worker' })).status).toBe(404);

    const roles = await ola.get('/api/memberships?role=maintainer&sort=user', inOrg('roles'));
    expect(roles.body.results.map((m: any) => m.user.username)).toEqual(['max', 'mia']);
    expect((await ola.get('/api/memberships?user=sam', inOrg('roles'))).body.results[0].id).toBe(samM);

    const changed = (await auditEvents('membership.role_changed')).find((e) => e.details.membership_id === maxM);
    expect(changed).toMatchObject({ actor: { id: ola.id }, user: { id: max.id }, details: { old_role: 'worker', role: 'maintainer' } });
  });

  it('lets members leave and managers remove lower roles; the owner can neither leave nor be removed', async () => {
    const oli = await person('oli');
    const meg = await person('meg');
    const sid = await person('sid');
    const wil = await person('wil');
    const org = await makeOrg(oli, 'leaving');
    const megM = await join(oli, 'leaving', meg, 'meg', 'maintainer');
    const sidM = await join(oli, 'leaving', sid, 'sid', 'supervisor');
    const wilM = await join(oli, 'leaving', wil, 'wil', 'worker');
    const oliM = await membershipOf(oli, 'leaving', oli.id);

    // Warm the cached organization scope: removal must end it at once.
    expect((await sid.get('/api/projects', inOrg('leaving'))).status).toBe(200);
    expect((await sid.delete(`/api/memberships/${wilM}`)).status).toBe(403);
    expect((await meg.delete(`/api/memberships/${oliM}`)).status).toBe(403);
    const ownerLeaves = await oli.delete(`/api/memberships/${oliM}`);
    expect(ownerLeaves.status).toBe(403);
    expect(ownerLeaves.body.message).toMatch(/owner/);

    expect((await wil.delete(`/api/memberships/${wilM}`)).status).toBe(204);
    expect((await wil.get(`/api/organizations/${org.id}`)).status).toBe(404);
    expect((await meg.delete(`/api/memberships/${sidM}`)).status).toBe(204);
    expect((await sid.get('/api/projects', inOrg('leaving'))).status).toBe(404);
    expect((await oli.delete(`/api/memberships/${megM}`)).status).toBe(204);
    expect((await oli.get('/api/memberships', inOrg('leaving'))).body.count).toBe(1);

    expect((await auditEvents('membership.left')).find((e) => e.details.membership_id === wilM)).toMatchObject({ actor: { id: wil.id } });
    expect((await auditEvents('membership.removed')).find((e) => e.details.membership_id === sidM)).toMatchObject({
      actor: { id: meg.id }, user: { id: sid.id }, details: { role: 'supervisor' },
    });
  });

  it("lists only the memberships of the caller's organizations", async () => {
    const una = await person('una');
    const vic = await person('vic');
    const a = await makeOrg(una, 'list-a');
    await makeOrg(vic, 'list-b');
    const all = await una.get('/api/memberships?page_size=all');
    expect(all.status).toBe(200);
    expect(all.body.results.map((m: any) => [m.organization, m.user.id])).toEqual([[a.id, una.id]]);
    expect((await una.get('/api/memberships', inOrg('list-b'))).status).toBe(404);
  });
});

describe('OpenAPI document', () => {
  it("documents CVAT's organization, membership and invitation paths", async () => {
    const doc = await s.client().get('/api/schema/?format=json');
    expect(doc.status).toBe(200);
    const paths = Object.keys(doc.body.paths);
    for (const p of [
      '/api/organizations', '/api/organizations/{id}', '/api/organizations/{id}/settings', '/api/memberships', '/api/memberships/{id}',
      '/api/invitations', '/api/invitations/{key}', '/api/invitations/{key}/accept', '/api/invitations/{key}/decline', '/api/invitations/{key}/resend',
    ]) {
      expect(paths, p).toContain(p);
    }
  });
});

describe('deleting an organization', () => {
  it('answers 409 while it holds data, then deletes it with its memberships and invitations', async () => {
    const dan = await person('dan');
    const mel = await person('mel');
    const org = await makeOrg(dan, 'doomed');
    await join(dan, 'doomed', mel, 'mel', 'maintainer');
    await person('pending1');
    expect((await invite(dan, 'doomed', 'pending1@example.com', 'worker')).status).toBe(201);
    const db = s.ctx.database.db;
    const project = await db
      .insertInto('projects')
      .values({ name: 'left behind', owner_id: dan.id, assignee_id: null, organization_id: org.id, source_storage: null, target_storage: null, updated_at: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();

    expect((await mel.delete(`/api/organizations/${org.id}`)).status).toBe(403);
    const blocked = await dan.delete(`/api/organizations/${org.id}`);
    expect(blocked.status).toBe(409);
    expect(blocked.body.code).toBe('CONFLICT');
    expect(blocked.body.message).toMatch(/1 project, 0 tasks, 0 cloud storages/);
    expect((await dan.get(`/api/organizations/${org.id}`)).status).toBe(200);

    await db.deleteFrom('projects').where('id', '=', project.id).execute();
    expect((await dan.delete(`/api/organizations/${org.id}`)).status).toBe(204);
    expect((await dan.get(`/api/organizations/${org.id}`)).status).toBe(404);
    expect((await mel.get('/api/projects', inOrg('doomed'))).status).toBe(404);
    const count = async (table: 'memberships' | 'organizations') =>
      Number((await db.selectFrom(table).select(sql<number>`count(*)`.as('n')).where(table === 'memberships' ? 'organization_id' : 'id', '=', org.id).executeTakeFirstOrThrow()).n);
    expect(await count('memberships')).toBe(0);
    const invitations = await db.selectFrom('invitations as i').innerJoin('memberships as m', 'm.id', 'i.membership_id').select('i.key').where('m.organization_id', '=', org.id).execute();
    expect(invitations).toEqual([]);
    expect((await auditEvents('organization.deleted')).find((e) => e.details.organization?.id === org.id)).toMatchObject({ actor: { id: dan.id } });
  });
});
