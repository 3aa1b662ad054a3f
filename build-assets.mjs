// Builds the front-end assets into static/ from the pinned npm packages, offline:
//   static/css/app.css          GOV.UK Frontend compiled with the council brand (assets/brand.scss)
//   static/js/                  govuk-frontend.min.js, initialised by static/app/init.mjs
//   static/assets/              GOV.UK Frontend images and manifest (no GDS Transport fonts)
// Run with `npm run build`. The output folders are git-ignored: they are rebuilt, never edited.

import { copyFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = dirname(fileURLToPath(import.meta.url));
const frontend = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
const out = {
  css: join(root, "static", "css"),
  js: join(root, "static", "js"),
  assets: join(root, "static", "assets"),
};

function fresh(folder) {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
}

function buildCss() {
  fresh(out.css);
  const result = sass.compile(join(root, "assets", "brand.scss"), {
    importers: [new sass.NodePackageImporter(root)],
    style: "compressed",
    quietDeps: true,
    silenceDeprecations: ["import"],
  });
  if (result.css.includes("GDS Transport")) {
    throw new Error("app.css mentions GDS Transport: check $govuk-font-family in assets/brand.scss");
  }
  writeFileSync(join(out.css, "app.css"), result.css);
  return result.css.length;
}

function copyJs() {
  fresh(out.js);
  for (const name of ["govuk-frontend.min.js", "govuk-frontend.min.js.map"]) {
    copyFileSync(join(frontend, name), join(out.js, name));
  }
}

function copyAssets() {
  fresh(out.assets);
  cpSync(join(frontend, "assets", "images"), join(out.assets, "images"), { recursive: true });
  copyFileSync(join(frontend, "assets", "manifest.json"), join(out.assets, "manifest.json"));
}

const started = Date.now();
const cssBytes = buildCss();
copyJs();
copyAssets();
console.log(`built static/css/app.css (${cssBytes} bytes), static/js, static/assets in ${Date.now() - started} ms`);
