import { defineConfig } from 'vite';

// React's JSX goes through Vite's own esbuild transform: no Babel plugin is needed for a
// production build, and fast refresh in development is not worth a dependency here.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: true,
    // The workspace (canvas engine) is its own chunk, loaded with its route.
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      // React Query marks its modules "use client" for server components; meaningless in a bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE' || warning.code === 'SOURCEMAP_ERROR') return;
        warn(warning);
      },
    },
  },
  // The object layer's worker (editor/render/layer-worker.ts) is a module worker, as the page is.
  worker: { format: 'es' },
  server: {
    proxy: { '/api': process.env.FRAMEWISE_API ?? 'http://localhost:8080' },
  },
});
