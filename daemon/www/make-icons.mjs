// respite - the agent page's PNG icons, made from icon.svg (run by hand
// when icon.svg changes; the PNGs are committed, so a build needs no
// browser).
//
// usage: node daemon/www/make-icons.mjs PLAYWRIGHT_DIR
// (PLAYWRIGHT_DIR holds node_modules/playwright-core, as for
// tests/integration/web.sh); uses /usr/bin/chromium or $CHROMIUM.
//
// agent-192.png and agent-512.png are the icon as it is (rounded
// corners, for the tab, the notification and the desktop);
// agent-maskable.png fills the square and keeps the drawing in the
// middle 70 %, the safe zone of a "maskable" icon (a launcher cuts it to
// its own shape).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';

const dir = path.dirname(url.fileURLToPath(import.meta.url));
const require = createRequire(path.join(process.argv[2], 'package.json'));
const { chromium } = require('playwright-core');
const svg = fs.readFileSync(path.join(dir, 'icon.svg'), 'utf8');
const inner = svg.replace(/^<svg[^>]*>/, '').replace(/<\/svg>\s*$/, '')
    .replace(/<rect [^>]*\/>/, '');
const maskable = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
    '<rect width="32" height="32" fill="#0b5d7a"/>' +
    '<g transform="translate(4.8 4.8) scale(0.7)">' + inner + '</g></svg>';

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ||
    '/usr/bin/chromium', args: ['--no-sandbox'] });
async function shot(src, size, out) {
	const page = await browser.newPage({ viewport: { width: size,
	    height: size } });
	await page.setContent('<html><body style="margin:0;background:transparent">' +
	    src.replace('<svg ', '<svg width="' + size + '" height="' + size +
	    '" ') + '</body></html>');
	await page.screenshot({ path: path.join(dir, out), omitBackground: true });
	await page.close();
}
await shot(svg, 192, 'agent-192.png');
await shot(svg, 512, 'agent-512.png');
await shot(maskable, 512, 'agent-maskable.png');
await browser.close();
