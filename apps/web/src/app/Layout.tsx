import { NavLink, Outlet } from 'react-router';
import { InvitationsBadge } from '../features/organization/MyInvitations';
import { useSession } from './session';

export function Layout() {
  const { user, organizations, organization, slug, switchOrganization, logout } = useSession();
  return (
    <div className="layout">
      <header className="topbar">
        <NavLink to="/projects" className="brand">
          Framewise
        </NavLink>
        <nav className="topnav">
          <NavLink to="/projects">Projects</NavLink>
          <NavLink to="/tasks">Tasks</NavLink>
          <NavLink to="/jobs">Jobs</NavLink>
          <NavLink to="/organization">Organization</NavLink>
          {user.is_superuser && <NavLink to="/admin">Admin</NavLink>}
        </nav>
        <div className="topbar-right">
          <InvitationsBadge />
          <label className="org-switch">
            <span className="sr-only">Organization</span>
            <select
              aria-label="Organization"
              value={organization?.slug ?? ''}
              onChange={(e) => switchOrganization(e.target.value || null)}
            >
              <option value="">Personal workspace</option>
              {organizations.map((o) => (
                <option key={o.id} value={o.slug}>
                  {o.name || o.slug}
                </option>
              ))}
            </select>
          </label>
          <NavLink to="/profile" className="user-name" title={`${user.email || user.username}: account, password, access tokens`}>
            {user.username}
          </NavLink>
          <button type="button" className="link-button" onClick={() => void logout()}>
            Log out
          </button>
        </div>
      </header>
      <main className="content">
        {/* A new organization is a new page: what was on screen belonged to the old one. */}
        <Outlet key={slug ?? ''} />
      </main>
    </div>
  );
}
