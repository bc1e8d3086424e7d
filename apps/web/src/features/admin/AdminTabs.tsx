import { NavLink } from 'react-router';

/** The administration pages' header; other users get a notice instead (the server refuses them anyway). */
export function AdminTabs() {
  return (
    <nav className="tabs admin-tabs" aria-label="Administration">
      <NavLink to="/admin/users">Users</NavLink>
      <NavLink to="/admin/audit">Audit log</NavLink>
    </nav>
  );
}

export function AdminsOnly() {
  return (
    <div className="empty-state">
      <h2>Administrators only</h2>
      <p>This page is for the server's administrators.</p>
    </div>
  );
}
