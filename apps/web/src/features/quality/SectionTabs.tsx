/**
 * The tabs of a task's or project's page (Jobs or Overview, and Quality), as links: each tab is
 * a route, so a tab can be bookmarked and Back returns to the previous one.
 */
import { NavLink } from 'react-router';
import './tabs.css';

export function SectionTabs({ label, tabs }: { label: string; tabs: { to: string; name: string }[] }) {
  return (
    <nav className="page-tabs" aria-label={label}>
      {tabs.map((t, i) => (
        <NavLink key={t.to} to={t.to} end={i === 0}>
          {t.name}
        </NavLink>
      ))}
    </nav>
  );
}
