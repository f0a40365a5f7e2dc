// Bundle the widget and socket.io-client into one file the portal serves:
// bot/portal/static/widget/s3martmed-chat.js (`npm run build`, run by `make widget`).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const outfile = fileURLToPath(new URL("../bot/portal/static/widget/s3martmed-chat.js", import.meta.url));

await build({
  entryPoints: [fileURLToPath(new URL("src/widget.js", import.meta.url))],
  outfile,
  bundle: true,
  format: "iife",
  target: ["es2019"],
  minify: true,
  loader: { ".css": "text" },
  legalComments: "eof",
  banner: { js: "/* S3martMed chat widget (Apache-2.0), with socket.io-client (MIT). Source: widget/src */" },
  logLevel: "info",
});
