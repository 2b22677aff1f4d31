// The console page and its assets: static files from api/console/static/ and uPlot's browser build
// from node_modules (no bundler, no build step). The page holds no data: it reads the snapshot
// with the operator token from its URL fragment, which browsers never send to the server.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { type Router } from 'express';

const STATIC_DIR = new URL('./static', import.meta.url).pathname;
const UPLOT_DIR = dirname(createRequire(import.meta.url).resolve('uplot'));
const VENDOR = new Map(['uPlot.iife.min.js', 'uPlot.min.css'].map((file) => [file, join(UPLOT_DIR, file)]));

/**
 * Only same-origin scripts, styles and requests; no framing. uPlot styles its elements through the
 * DOM (element.style), which a style-src without 'unsafe-inline' allows.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function consolePage(): Router {
  const router = express.Router();
  router.use('/console', (_req, res, next) => {
    res.set({
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    });
    next();
  });
  router.get('/console', (_req, res) => res.sendFile(join(STATIC_DIR, 'index.html')));
  router.get('/console/vendor/:file', (req, res, next) => {
    const file = VENDOR.get(req.params.file);
    if (file) res.sendFile(file);
    else next();
  });
  router.use('/console', express.static(STATIC_DIR, { index: false, redirect: false }));
  return router;
}
