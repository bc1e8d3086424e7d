import { Link } from 'react-router';

export function NotFound({ what = 'page' }: { what?: string }) {
  return (
    <div className="empty-state">
      <h2>Not found</h2>
      <p>This {what} does not exist, or you have no access to it in the current organization.</p>
      <Link to="/projects">Back to projects</Link>
    </div>
  );
}
