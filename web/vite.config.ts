import { defineConfig } from "vite";

// Plain Vite: esbuild compiles the TSX with Preact's JSX runtime (tsconfig.json), so no
// framework plugin is needed. `npm run dev` proxies the API to a local node (scripts/up.sh).
export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
  server: {
    proxy: { "/api": { target: process.env.CLAUDOMATOR_URL ?? "http://127.0.0.1:8080", changeOrigin: false } },
  },
});
