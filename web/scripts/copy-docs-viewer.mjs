#!/usr/bin/env node
// Copies the API docs viewer (/docs) into ../static/docs/ after `vite build`
// (which empties ../static/ first). Runs as the last step of `npm run build`.
//
// From swagger-ui-dist (exact version pinned in package.json) only the files the
// page loads plus the licence texts are copied, byte for byte; the page itself
// (index.html, init.js, docs.css) comes from docs-viewer/. File names are NOT
// content-hashed. The output depends only on these inputs, so rebuilds are identical.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(webDir, '..', 'static', 'docs');

const require = createRequire(join(webDir, 'package.json'));
const distDir = dirname(require.resolve('swagger-ui-dist/package.json'));

const pinned = JSON.parse(readFileSync(join(webDir, 'package.json'), 'utf8')).devDependencies['swagger-ui-dist'];
const installed = JSON.parse(readFileSync(join(distDir, 'package.json'), 'utf8')).version;
if (installed !== pinned) {
  throw new Error(`swagger-ui-dist ${installed} is installed but package.json pins ${pinned}: run npm ci`);
}

const files = [
  // [source, name in static/docs/]
  [join(distDir, 'swagger-ui-bundle.js'), 'swagger-ui-bundle.js'],
  [join(distDir, 'swagger-ui-bundle.js.LICENSE.txt'), 'swagger-ui-bundle.js.LICENSE.txt'],
  [join(distDir, 'swagger-ui.css'), 'swagger-ui.css'],
  [join(distDir, 'LICENSE'), 'LICENSE'],
  [join(distDir, 'NOTICE'), 'NOTICE'],
  [join(webDir, 'docs-viewer', 'index.html'), 'index.html'],
  [join(webDir, 'docs-viewer', 'init.js'), 'init.js'],
  [join(webDir, 'docs-viewer', 'docs.css'), 'docs.css'],
];

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
for (const [src, name] of files) {
  copyFileSync(src, join(outDir, name));
}
console.log(`docs viewer: swagger-ui-dist ${installed} → static/docs/ (${files.length} files)`);
