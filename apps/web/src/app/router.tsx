/**
 * The app's pages. Paths follow CVAT's web app (`/projects/{id}`, `/tasks/{id}`,
 * `/tasks/{task}/jobs/{job}`) so links people have shared keep working. The workspace, with the
 * canvas engine, and the quality tabs of tasks and projects are chunks loaded with their routes.
 */
import { createBrowserRouter, Navigate } from 'react-router';
import { ProfilePage } from '../features/account/ProfilePage';
import { AuditPage } from '../features/admin/AuditPage';
import { UsersPage } from '../features/admin/UsersPage';
import { ForgotPasswordPage } from '../features/auth/ForgotPasswordPage';
import { InvitationPage } from '../features/auth/InvitationPage';
import { LoginPage } from '../features/auth/LoginPage';
import { RegisterPage } from '../features/auth/RegisterPage';
import { ResetPasswordPage } from '../features/auth/ResetPasswordPage';
import { JobsPage } from '../features/jobs/JobsPage';
import { CreateOrganizationPage } from '../features/organization/CreateOrganizationPage';
import { OrganizationPage } from '../features/organization/OrganizationPage';
import { CreateProjectPage } from '../features/projects/CreateProjectPage';
import { ProjectPage } from '../features/projects/ProjectPage';
import { ProjectsPage } from '../features/projects/ProjectsPage';
import { CreateTaskPage } from '../features/tasks/CreateTaskPage';
import { TaskPage } from '../features/tasks/TaskPage';
import { TasksPage } from '../features/tasks/TasksPage';
import { Layout } from './Layout';
import { NotFound } from './NotFound';
import { RequireLogin } from './RequireLogin';

export const router = createBrowserRouter([
  { path: '/auth/login', element: <LoginPage /> },
  { path: '/auth/register', element: <RegisterPage /> },
  { path: '/auth/password/reset', element: <ForgotPasswordPage /> },
  { path: '/auth/password/reset/confirm', element: <ResetPasswordPage /> },
  {
    path: '/',
    element: <RequireLogin />,
    children: [
      {
        element: <Layout />,
        children: [
          { index: true, element: <Navigate to="/projects" replace /> },
          { path: 'projects', element: <ProjectsPage /> },
          { path: 'projects/create', element: <CreateProjectPage /> },
          {
            path: 'projects/:id',
            element: <ProjectPage />,
            children: [{ path: 'quality', lazy: async () => ({ Component: (await import('../features/quality/ProjectQualityPage')).ProjectQualityPage }) }],
          },
          { path: 'tasks', element: <TasksPage /> },
          { path: 'tasks/create', element: <CreateTaskPage /> },
          {
            path: 'tasks/:id',
            element: <TaskPage />,
            children: [{ path: 'quality', lazy: async () => ({ Component: (await import('../features/quality/TaskQualityPage')).TaskQualityPage }) }],
          },
          { path: 'jobs', element: <JobsPage /> },
          { path: 'organization', element: <OrganizationPage /> },
          { path: 'organizations/create', element: <CreateOrganizationPage /> },
          { path: 'invitations', element: <InvitationPage /> },
          { path: 'profile', element: <ProfilePage /> },
          { path: 'admin', element: <Navigate to="/admin/users" replace /> },
          { path: 'admin/users', element: <UsersPage /> },
          { path: 'admin/audit', element: <AuditPage /> },
          { path: '*', element: <NotFound /> },
        ],
      },
      {
        path: 'tasks/:taskId/jobs/:jobId',
        lazy: async () => ({ Component: (await import('../features/workspace/WorkspacePage')).WorkspacePage }),
      },
    ],
  },
]);
