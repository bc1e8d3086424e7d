/**
 * FRAMEWISE_LDAP_ORG_ROLES / FRAMEWISE_OIDC_ORG_ROLES as the boot reads them, and the rules that
 * decide what a login does to one membership (services/organizations/directory-roles.ts).
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/env.js';
import { desiredOrgRoles, planMembership } from '../../src/services/organizations/directory-roles.js';

const LDAP = { FRAMEWISE_LDAP_URL: 'ldap://127.0.0.1', FRAMEWISE_LDAP_SEARCH_BASE: 'dc=example,dc=org' };
const OIDC = { FRAMEWISE_OIDC_ISSUER: 'https://sso.example.org', FRAMEWISE_OIDC_CLIENT_ID: 'framewise' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('organization role rules in the configuration', () => {
  it('reads group DNs with commas and "=", any spacing, and keeps admin groups beside them', () => {
    const config = loadConfig({
      ...LDAP,
      FRAMEWISE_LDAP_ADMIN_GROUPS: 'cn=admins,dc=example,dc=org',
      FRAMEWISE_LDAP_ORG_ROLES: ' cn=labelers, ou=groups,dc=example,dc=org => acme:worker;cn=leads,dc=example,dc=org=>Acme_2 : Supervisor ; ',
    });
    expect(config.ldap?.groupRules).toEqual([
      { group: 'cn=admins,dc=example,dc=org', grant: { kind: 'superuser' } },
      { group: 'cn=labelers, ou=groups,dc=example,dc=org', grant: { kind: 'org-role', org: 'acme', role: 'worker' } },
      { group: 'cn=leads,dc=example,dc=org', grant: { kind: 'org-role', org: 'Acme_2', role: 'supervisor' } },
    ]);
    const oidc = loadConfig({ ...OIDC, FRAMEWISE_OIDC_ORG_ROLES: 'Team Leads => acme:maintainer' });
    expect(oidc.oidc?.groupRules).toEqual([{ group: 'Team Leads', grant: { kind: 'org-role', org: 'acme', role: 'maintainer' } }]);
  });

  it('stops the boot on each bad entry, naming the variable and the entry', () => {
    const found = problems({
      ...LDAP,
      FRAMEWISE_LDAP_ORG_ROLES: [
        'cn=x,dc=org acme:worker',
        ' => acme:worker',
        'cn=x,dc=org => acme:owner',
        'cn=x,dc=org => acme:admin',
        'cn=x,dc=org => acme',
        'cn=x,dc=org => a b:worker',
        'cn=x,dc=org => far-too-long-a-slug:worker',
        'cn=ok,dc=org => acme:worker',
      ].join(';'),
    });
    expect(found).toEqual([
      expect.stringMatching(/^FRAMEWISE_LDAP_ORG_ROLES: "cn=x,dc=org acme:worker" has no "=>"/),
      expect.stringMatching(/^FRAMEWISE_LDAP_ORG_ROLES: "=> acme:worker" names no group/),
      expect.stringMatching(/^FRAMEWISE_LDAP_ORG_ROLES: "cn=x,dc=org => acme:owner" grants owner/),
      expect.stringMatching(/^FRAMEWISE_LDAP_ORG_ROLES: "cn=x,dc=org => acme:admin" has role "admin"/),
      expect.stringMatching(/^FRAMEWISE_LDAP_ORG_ROLES: "cn=x,dc=org => acme" has no role/),
      expect.stringMatching(/^FRAMEWISE_LDAP_ORG_ROLES: "cn=x,dc=org => a b:worker" names "a b", not an organization slug/),
      expect.stringMatching(/^FRAMEWISE_LDAP_ORG_ROLES: .*far-too-long-a-slug.* not an organization slug/),
    ]);
    expect(problems({ ...OIDC, FRAMEWISE_OIDC_ORG_ROLES: 'leads => acme:owner' })).toEqual([
      expect.stringMatching(/^FRAMEWISE_OIDC_ORG_ROLES: "leads => acme:owner" grants owner/),
    ]);
  });
});

describe('what a login does to one membership', () => {
  const worker = { kind: 'org-role', org: 'Acme', role: 'worker' } as const;
  const supervisor = { kind: 'org-role', org: 'acme', role: 'supervisor' } as const;
  const rules = [
    { group: 'w', grant: worker },
    { group: 's', grant: supervisor },
    { group: 'g', grant: { kind: 'org-role', org: 'ghost', role: 'maintainer' } as const },
    { group: 'a', grant: { kind: 'superuser' } as const },
  ];

  it('wants the highest role granted in each organization a rule names, none where nothing is granted', () => {
    expect(desiredOrgRoles(rules, [worker, supervisor, { kind: 'superuser' }])).toEqual(new Map([['acme', 'supervisor'], ['ghost', null]]));
    expect(desiredOrgRoles(rules, [supervisor, worker])).toEqual(new Map([['acme', 'supervisor'], ['ghost', null]]));
    expect(desiredOrgRoles(rules, [])).toEqual(new Map([['acme', null], ['ghost', null]]));
  });

  it('makes directory memberships follow the groups exactly', () => {
    const mine = (role: 'worker' | 'supervisor' | 'maintainer') => ({ role, source: 'ldap' as const, is_active: true });
    expect(planMembership(undefined, 'worker', 'ldap')).toEqual({ kind: 'create', role: 'worker' });
    expect(planMembership(undefined, null, 'ldap')).toBeNull();
    expect(planMembership(mine('supervisor'), 'worker', 'ldap')).toEqual({ kind: 'set-role', from: 'supervisor', to: 'worker' });
    expect(planMembership(mine('worker'), 'maintainer', 'ldap')).toEqual({ kind: 'set-role', from: 'worker', to: 'maintainer' });
    expect(planMembership(mine('worker'), 'worker', 'ldap')).toBeNull();
    expect(planMembership(mine('worker'), null, 'ldap')).toEqual({ kind: 'remove' });
  });

  it('only ever raises memberships made by hand or by the other directory, and never touches the owner', () => {
    const manual = (role: 'owner' | 'maintainer' | 'worker', is_active = true) => ({ role, source: 'manual' as const, is_active });
    expect(planMembership(manual('maintainer'), 'worker', 'ldap')).toBeNull();
    expect(planMembership(manual('maintainer'), null, 'ldap')).toBeNull();
    expect(planMembership(manual('worker'), 'supervisor', 'oidc')).toEqual({ kind: 'set-role', from: 'worker', to: 'supervisor' });
    expect(planMembership({ role: 'worker', source: 'oidc', is_active: true }, null, 'ldap')).toBeNull();
    expect(planMembership(manual('worker', false), 'supervisor', 'ldap')).toEqual({ kind: 'activate', from: 'worker', to: 'supervisor' });
    expect(planMembership(manual('maintainer', false), 'worker', 'ldap')).toEqual({ kind: 'activate', from: 'maintainer', to: 'maintainer' });
    expect(planMembership(manual('owner'), 'maintainer', 'ldap')).toBeNull();
    expect(planMembership(manual('owner'), null, 'ldap')).toBeNull();
  });
});
