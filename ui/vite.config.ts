// Builds the UI into dist/: hashed files under dist/assets/ (served with a
// year's cache lifetime) and a gzip twin of every text file (served when the
// browser takes gzip), so callpathd never compresses on the fly.
import { defineConfig, type Plugin } from "vite";
import preact from "@preact/preset-vite";
import { gzipSync } from "node:zlib";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function precompress(): Plugin {
  return {
    name: "callpath-precompress",
    apply: "build",
    closeBundle() {
      const walk = (dir: string) => {
        for (const name of readdirSync(dir)) {
          const path = join(dir, name);
          if (statSync(path).isDirectory()) walk(path);
          else if (/\.(js|css|html|svg|json)$/.test(name)) {
            writeFileSync(path + ".gz", gzipSync(readFileSync(path), { level: 9 }));
          }
        }
      };
      walk("dist");
    },
  };
}

export default defineConfig({
  plugins: [preact(), precompress()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 400 },
  server: { proxy: { "/api": "http://127.0.0.1:16686" } },
});
