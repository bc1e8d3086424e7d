export function WorkspacePage() {
  return <div>The annotation workspace is not built yet.</div>;
}
