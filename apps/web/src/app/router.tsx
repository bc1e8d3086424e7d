/**
 * The app's pages. Paths follow CVAT's web app (`/projects/{id}`, `/tasks/{id}`,
 * `/tasks/{task}/jobs/{job}`) so links people have shared keep working. The workspace, with the
 * canvas engine, is its own chunk loaded with its route.
 */
import { createBrowserRouter, Navigate } from 'react-router';
import { LoginPage } from '../features/auth/LoginPage';
import { RegisterPage } from '../features/auth/RegisterPage';
import { JobsPage } from '../features/jobs/JobsPage';
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
          { path: 'projects/:id', element: <ProjectPage /> },
          { path: 'tasks', element: <TasksPage /> },
          { path: 'tasks/create', element: <CreateTaskPage /> },
          { path: 'tasks/:id', element: <TaskPage /> },
          { path: 'jobs', element: <JobsPage /> },
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
