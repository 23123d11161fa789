#!/usr/bin/env node
// End-to-end journey through the real UI with playwright-core + Debian's Chromium.
//
//   BASE_URL=http://127.0.0.1:8080 SCREENSHOT_DIR=/tmp/shots \
//   FACE_PHOTO=/path/to/face.jpg [FIXTURES_DIR=dir-with-angry.png…neutral.png] \
//   node e2e/journey.mjs
//
// FACE_PHOTO must contain a real face when run against the real backend; if it
// is unset a generated cartoon face is used, which the real detector may not
// see as a face; scripts/e2e.sh passes a real photo.
// Exits non-zero on the first failed step, and also if the page logged errors.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { EXPRESSION_COLOURS, facePng } from './png.mjs';

const BASE_URL = (process.env.BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? 'e2e-screenshots';
const FACE_PHOTO = process.env.FACE_PHOTO ?? '';
const FIXTURES_DIR = process.env.FIXTURES_DIR ?? '';
const TASK_TIMEOUT_MS = Number(process.env.TASK_TIMEOUT_MS ?? 180_000);
const EXPRESSIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'];
const WIDTHS = [375, 1280];

const consoleErrors = [];
const accessibilityProblems = [];
let accessibilityChecks = 0;
let accessibilityNodesChecked = 0;
// axe-core's checks for what the quality bar names: WCAG AA colour
// contrast, alt text, and names for every control a keyboard reaches.
const AXE_RULES = [
  'color-contrast',
  'image-alt',
  'button-name',
  'link-name',
  'label',
  'aria-valid-attr-value',
  'document-title',
  'html-has-lang',
];
const AXE_SOURCE = readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
let stepNo = 0;
let currentPage = null;

function log(msg) {
  console.log(`[journey] ${msg}`);
}

async function step(name, fn) {
  stepNo += 1;
  const t0 = Date.now();
  try {
    await fn();
    log(`ok   ${stepNo}. ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    log(`FAIL ${stepNo}. ${name}: ${e?.stack ?? e}`);
    if (currentPage) {
      const shot = join(SCREENSHOT_DIR, `FAIL-${stepNo}.png`);
      await currentPage.screenshot({ path: shot, fullPage: true }).catch(() => undefined);
      log(`     url ${currentPage.url()}, screenshot ${shot}`);
    }
    throw e;
  }
}

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

async function templateFiles() {
  const files = {};
  for (const ex of EXPRESSIONS) {
    let path = null;
    if (FIXTURES_DIR) {
      for (const ext of ['png', 'jpg', 'jpeg', 'webp', 'gif']) {
        const p = join(FIXTURES_DIR, `${ex}.${ext}`);
        if (existsSync(p)) {
          path = p;
          break;
        }
      }
    }
    if (path) files[ex] = path;
    else {
      const p = join(SCREENSHOT_DIR, '_fixtures', `${ex}.png`);
      await writeFile(p, facePng(128, EXPRESSION_COLOURS[ex], ex === 'sad' ? 'flat' : 'smile'));
      files[ex] = p;
    }
  }
  return files;
}

async function facePhoto() {
  if (FACE_PHOTO) return FACE_PHOTO;
  log('FACE_PHOTO not set: using a generated cartoon face (only a mock backend will find a face in it)');
  const p = join(SCREENSHOT_DIR, '_fixtures', 'face.png');
  await writeFile(p, facePng(480, [240, 200, 170]));
  return p;
}

async function main() {
  await mkdir(join(SCREENSHOT_DIR, '_fixtures'), { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  // English UI for stable text assertions; the language switch is checked separately below.
  await context.addInitScript(() => {
    if (!window.localStorage.getItem('igemoji.lang')) window.localStorage.setItem('igemoji.lang', 'en');
  });
  const page = await context.newPage();
  currentPage = page;
  page.setDefaultTimeout(20_000);
  page.on('console', (msg) => {
    // Chromium logs every non-2xx resource as an error; the expected 4xx answers are not app errors.
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) {
      consoleErrors.push(`${page.url()}: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => consoleErrors.push(`${page.url()}: pageerror ${err.message}`));

  async function shoot(name) {
    for (const w of WIDTHS) {
      await page.setViewportSize({ width: w, height: w < 600 ? 812 : 900 });
      await page.waitForTimeout(150);
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${w}.png`), fullPage: true });
      await checkAccessibility(`${name} at ${w} px`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  async function checkAccessibility(where) {
    if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
    const { violations, nodesChecked } = await page.evaluate(
      (rules) =>
        window.axe.run(document, { runOnly: { type: 'rule', values: rules } }).then((r) => ({
          violations: r.violations,
          nodesChecked: r.passes.reduce((sum, rule) => sum + rule.nodes.length, 0),
        })),
      AXE_RULES,
    );
    accessibilityChecks += 1;
    accessibilityNodesChecked += nodesChecked;
    for (const v of violations) {
      const targets = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ');
      accessibilityProblems.push(`${where}: ${v.id} (${v.impact}) on ${v.nodes.length} element(s): ${targets}`);
    }
  }

  const go = (path) => page.goto(`${BASE_URL}${path}`, { waitUntil: 'domcontentloaded' });

  const stamp = Date.now().toString(36);
  const username = `e2e_${stamp}`;
  const password = `pw-${stamp}-secret`;
  const templateName = `E2E faces ${stamp}`;
  let templateId = null;
  let shareLink = null;
  let builtinId = null;

  await step('home gallery and top-3 load', async () => {
    await go('/');
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.getByTestId('home-top3').waitFor();
    await page.getByTestId('gallery').waitFor();
    assert((await page.getByTestId('emoji-card').count()) > 0, 'gallery has cards');
    assert((await page.getByTestId('attribution').textContent()).includes('Twemoji'), 'attribution in footer');
    await shoot('home');
  });

  await step('language switch to Korean and back', async () => {
    await page.getByTestId('lang-ko').click();
    await page.getByRole('heading', { level: 1, name: '얼굴을 이모지로' }).waitFor();
    assert((await page.evaluate(() => document.documentElement.lang)) === 'ko', 'html lang=ko');
    await page.getByTestId('lang-en').click();
    await page.getByRole('heading', { level: 1, name: 'Turn faces into emoji' }).waitFor();
  });

  await step('search by name', async () => {
    const firstName = (await page.getByTestId('gallery').getByRole('heading', { level: 3 }).first().textContent()).trim();
    await page.getByTestId('search-input').fill(firstName);
    await page.waitForURL(/[?&]q=/);
    await page.getByTestId('gallery').getByRole('heading', { level: 3, name: firstName }).first().waitFor();
    await page.getByTestId('search-input').fill('zzzz-no-such-template-zzzz');
    await page.getByTestId('gallery-empty').waitFor();
  });

  await step('the home page works from the keyboard alone', async () => {
    await go('/');
    await page.getByTestId('gallery').waitFor();
    // Tab from the top of the page until a gallery card has the focus,
    // noting what the focus passed; Enter then opens that template.
    const passed = new Set();
    let onCard = false;
    for (let i = 0; i < 60 && !onCard; i += 1) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        return {
          testId: el?.closest('[data-testid]')?.getAttribute('data-testid') ?? '',
          href: el?.getAttribute('href') ?? '',
          visible: !!el && el !== document.body && el.getBoundingClientRect().width > 0,
        };
      });
      assert(focused.visible, `tab stop ${i + 1} is a visible element`);
      passed.add(focused.testId);
      onCard = /^\/emojis\/\d+$/.test(focused.href);
    }
    assert(passed.has('search-input'), `the search field is reachable (${[...passed].join(', ')})`);
    assert(onCard, 'a gallery card is reachable by Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/emojis\/\d+$/);
  });

  await step('sign up with live username check', async () => {
    await go('/signup');
    await page.getByTestId('signup-username').fill(username);
    await page.getByTestId('username-status').getByText('This username is available.').waitFor();
    await page.getByTestId('signup-password').fill(password);
    await page.getByTestId('signup-nickname').fill(`Tester ${stamp}`);
    await shoot('signup');
    await page.getByTestId('signup-submit').click();
    await page.waitForURL(/\/login\?registered=1/);
    await page.getByTestId('signup-success').waitFor();
  });

  await step('username now shows as taken', async () => {
    await go('/signup');
    await page.getByTestId('signup-username').fill(username.toUpperCase());
    await page.getByTestId('username-status').getByText('This username is already taken.').waitFor();
  });

  await step('wrong password is rejected, right one logs in', async () => {
    await go('/login');
    await page.getByTestId('login-username').fill(username);
    await page.getByTestId('login-password').fill('definitely-wrong');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-error').waitFor();
    await shoot('login');
    await page.getByTestId('login-password').fill(password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-me').waitFor();
    assert(await page.evaluate(() => !!localStorage.getItem('igemoji.token')), 'token stored');
  });

  await step('reload keeps the session', async () => {
    await page.reload();
    await page.getByTestId('nav-me').waitFor();
    await page.getByTestId('current-user').waitFor();
  });

  await step('create a private template from seven images', async () => {
    const files = await templateFiles();
    await go('/emojis/new');
    await page.getByTestId('create-submit').click();
    await page.getByTestId('create-error').waitFor(); // all seven required
    await page.getByTestId('slot-angry-error').waitFor();
    await page.getByTestId('create-name').fill(templateName);
    await page.getByTestId('create-description').fill('Made by the e2e journey.');
    for (const ex of EXPRESSIONS) {
      await page.getByTestId(`slot-${ex}-input`).setInputFiles(files[ex]);
      await page.getByTestId(`slot-${ex}-preview`).waitFor();
    }
    await page.getByTestId('visibility-private').click();
    await shoot('create');
    await page.getByTestId('create-submit').click();
    await page.waitForURL(/\/emojis\/\d+$/, { timeout: 60_000 });
    templateId = Number(new URL(page.url()).pathname.split('/').pop());
    await page.getByTestId('emoji-name').getByText(templateName).waitFor();
    shareLink = await page.getByTestId('share-link').inputValue();
    assert(shareLink.includes(`/emojis/${templateId}?share=`), `owner sees share link (${shareLink})`);
    await page.getByRole('img', { name: new RegExp(`^${templateName} – `) }).first().waitFor();
    assert((await page.getByRole('img', { name: new RegExp(`^${templateName} – `) }).count()) === 7, 'seven images');
    await shoot('detail');
  });

  await step('deep link reload works', async () => {
    await page.reload();
    await page.getByTestId('emoji-name').getByText(templateName).waitFor();
    await go('/ranking');
    await page.reload();
    await page.getByTestId('ranking-all').waitFor();
  });

  await step('find a built-in template', async () => {
    const res = await page.request.get(`${BASE_URL}/api/v1/emojis/?page=1&size=100`);
    assert(res.ok(), `list emojis ${res.status()}`);
    const body = await res.json();
    const builtin = body.items.find((e) => e.builtin) ?? body.items[0];
    assert(builtin, 'at least one public template');
    builtinId = builtin.id;
    await go(`/emojis/${builtinId}`);
    await page.getByTestId('use-this').click();
    await page.waitForURL(new RegExp(`/emojis/${builtinId}/use`));
    await page.getByTestId('photo-form').waitFor();
  });

  await step('a bad file shows an error and the page stays usable', async () => {
    // Rejected in the browser (wrong type).
    await page.getByTestId('photo-input').setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('hello, not an image'),
    });
    await page.getByTestId('photo-error').waitFor();
    // Looks like an image to the browser, rejected by the server (415/422).
    await page.getByTestId('photo-input').setInputFiles({
      name: 'fake.png',
      mimeType: 'image/png',
      buffer: Buffer.from('this is definitely not a png file, just text bytes'),
    });
    await page.getByTestId('upload-submit').click();
    await page.getByTestId('upload-error').waitFor({ timeout: 30_000 });
    const text = await page.getByTestId('upload-error').textContent();
    log(`server-side bad file message: ${text}`);
    await shoot('use-bad-file');
  });

  await step('use a built-in template on a face photo', async () => {
    const photo = await facePhoto();
    await page.getByTestId('photo-input').setInputFiles(photo);
    await page.getByTestId('photo-preview').waitFor();
    await page.getByTestId('upload-submit').click();
    await page.getByTestId('task-panel').waitFor({ timeout: 60_000 });
    await page
      .locator('[data-testid="task-done"], [data-testid="no-face"], [data-testid="task-failed"]')
      .first()
      .waitFor({ timeout: TASK_TIMEOUT_MS });
    assert(await page.getByTestId('task-done').isVisible(), 'task finished with faces (FACE_PHOTO must show a face)');
    const items = page.getByTestId('face-item');
    assert((await items.count()) > 0, 'at least one face listed');
    const expr = await items.first().getAttribute('data-expression');
    assert(EXPRESSIONS.includes(expr), `expression listed (${expr})`);
    const label = await items.first().textContent();
    assert(/Happy|Angry|Disgust|Fear|Sad|Surprise|Neutral/.test(label), `expression label shown (${label})`);
    assert(/Confidence \d/.test(label), `confidence shown (${label})`);
    await page.getByTestId('result-image').waitFor();
    await items.first().hover();
    await page.getByTestId('face-box').waitFor();
    await items.first().focus();
    await page.getByTestId('face-box').waitFor();
    await shoot('use-result');
  });

  await step('fix a face: choose another emoji for face 1 in the picker', async () => {
    const cap = (ex) => ex[0].toUpperCase() + ex.slice(1);
    const row = page.getByTestId('face-item').first();
    const picture = page.getByTestId('result-image');
    const download = page.getByTestId('download-result');
    // What the Download button saves, through the button itself.
    const downloadBytes = async () => {
      const [file] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), download.click()]);
      return readFile(await file.path());
    };
    const before = {
      expression: await row.getAttribute('data-expression'),
      src: await picture.getAttribute('src'),
      href: await download.getAttribute('href'),
    };
    assert(before.src && before.href === before.src, `Download saves the shown result (${before.href}, ${before.src})`);
    log(`face 1 before: ${before.expression}, not sure: ${await row.getAttribute('data-unsure')}, ${before.src}`);
    const beforeBytes = await downloadBytes();
    const target = before.expression === 'happy' ? 'surprise' : 'happy';

    // Open the picker from the keyboard; the focus starts on the current emoji.
    await row.focus();
    await page.keyboard.press('Enter');
    const picker = page.getByRole('dialog', { name: 'Face 1: which emoji fits?' });
    await picker.waitFor();
    const current = picker.getByRole('button', { name: `Face 1: choose ${cap(before.expression)}`, exact: true });
    assert((await current.getAttribute('aria-current')) === 'true', 'the current emoji is marked');
    assert(await current.evaluate((el) => el === document.activeElement), 'the focus starts on the current emoji');
    assert(await picker.getByRole('button', { name: 'Face 1: no emoji here' }).isVisible(), '"no emoji here" offered');
    assert((await picker.locator('img').count()) === 7, 'the seven template emoji are shown');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[role="dialog"] img')].every((img) => img.complete && img.naturalWidth > 0),
    );
    await shoot('use-face-picker'); // 375 and 1280 px, axe-core at both, with the picker open

    await picker.getByRole('button', { name: `Face 1: choose ${cap(target)}`, exact: true }).focus();
    await page.keyboard.press('Enter');
    await picker.waitFor({ state: 'hidden' });
    assert(await row.evaluate((el) => el === document.activeElement), 'the focus is back on face 1');

    // The picture changes in place once the server answered and the new image loaded.
    await page.waitForFunction(
      (old) => {
        const img = document.querySelector('[data-testid="result-image"]');
        return !!img && img.getAttribute('src') !== old && img.complete && img.naturalWidth > 0;
      },
      before.src,
      { timeout: 60_000 },
    );
    await page.locator('[data-testid="result-picture"][data-busy="false"]').waitFor({ timeout: 60_000 });
    assert((await row.getAttribute('data-expression')) === target, `face 1 is now ${target}`);
    assert((await row.getAttribute('data-corrected')) === 'true', 'face 1 is marked as corrected');
    const label = await row.textContent();
    assert(label.includes(`Face 1: ${cap(target)}`), `the row names the chosen emoji (${label})`);
    assert(label.includes('Changed by you'), `the row says it was changed by the user (${label})`);
    log(`face 1 after: ${label}`);

    const after = { src: await picture.getAttribute('src'), href: await download.getAttribute('href') };
    assert(after.href === after.src && after.href !== before.href, `Download follows the new result (${after.href})`);
    const afterBytes = await downloadBytes();
    assert(afterBytes.length > 0 && !afterBytes.equals(beforeBytes), 'the downloaded result differs from before');
    await shoot('use-face-fixed');
  });

  await step('ranking page shows all-time and 7-day top 3', async () => {
    await go('/ranking');
    await page.getByTestId('ranking-all').getByTestId('emoji-card').first().waitFor();
    await page.getByTestId('ranking-7d').waitFor();
    await shoot('ranking');
  });

  await step('my page: used and made lists', async () => {
    await go('/me');
    await page.getByTestId('tab-used').click();
    await page.getByTestId('used-list').getByTestId('used-item').first().waitFor();
    await shoot('me-used');
    await page.getByTestId('tab-created').click();
    await page.getByTestId('created-list').getByRole('heading', { name: templateName }).waitFor();
    await shoot('me-created');
  });

  await step('a visitor with the share link uses the private template', async () => {
    const visitor = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    try {
      const other = await visitor.newPage();
      await other.goto(new URL(shareLink, BASE_URL).href, { waitUntil: 'domcontentloaded' });
      await other.getByTestId('emoji-name').getByText(templateName).waitFor();
      await other.getByTestId('use-this').click();
      await other.getByTestId('photo-input').setInputFiles(await facePhoto());
      await other.getByTestId('upload-submit').click();
      await other.getByTestId('task-done').waitFor({ timeout: TASK_TIMEOUT_MS });
      const name = await other.getByTestId('download-result').getAttribute('download');
      assert(/\.jpg$/.test(name), `the download is named for the JPEG result (${name})`);
    } finally {
      await visitor.close();
    }
  });

  await step('delete the template with confirmation', async () => {
    await go(`/emojis/${templateId}`);
    await page.getByTestId('delete-emoji').click();
    await page.getByRole('dialog').waitFor();
    await page.getByTestId('confirm-button').click();
    await page.waitForURL(/\/me\?tab=created/);
    await page.getByTestId('created-empty').waitFor();
    const res = await page.request.get(`${BASE_URL}/api/v1/emojis/${templateId}`);
    assert(res.status() === 404, `deleted template is gone (${res.status()})`);
  });

  await step('unknown route shows the 404 page', async () => {
    await go('/no/such/page');
    await page.getByTestId('not-found').waitFor();
    await shoot('not-found');
  });

  await step('the API viewer at /docs shows the OpenAPI document', async () => {
    await go('/docs');
    await page.locator('.opblock').first().waitFor();
    const operations = await page.locator('.opblock').count();
    assert(operations >= 15, `every operation is listed (${operations})`);
    await page.getByText('/api/v1/faces/tasks/{task_id}').first().waitFor();
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'docs-1280.png'), fullPage: true });
  });

  await step('log out', async () => {
    await go('/');
    await page.getByTestId('nav-logout').click();
    await page.getByTestId('nav-login').waitFor();
    assert(await page.evaluate(() => !localStorage.getItem('igemoji.token')), 'token cleared');
  });

  await step('expired token sends to log in with a message', async () => {
    await page.evaluate(() => localStorage.setItem('igemoji.token', 'expired-or-bogus-token'));
    await go('/me');
    await page.waitForURL(/\/login\?expired=1/);
    await page.getByTestId('session-expired').waitFor();
    assert(await page.evaluate(() => !localStorage.getItem('igemoji.token')), 'bad token cleared');
  });

  await step('mobile menu works at 375 px', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await go('/');
    await page.getByTestId('nav-menu-button').click();
    await page.getByTestId('nav-ranking-m').click();
    await page.waitForURL(/\/ranking$/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert(!overflow, 'no horizontal scroll at 375 px');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await browser.close();
  log(`axe-core: ${accessibilityChecks} page checks, ${accessibilityNodesChecked} element checks passed`);
  if (accessibilityProblems.length) {
    throw new Error(`accessibility problems (axe-core):\n${accessibilityProblems.join('\n')}`);
  }
  if (consoleErrors.length) {
    throw new Error(`console errors:\n${consoleErrors.join('\n')}`);
  }
  log(`all ${stepNo} steps passed; screenshots in ${SCREENSHOT_DIR}`);
}

main().catch((e) => {
  console.error(e);
  if (consoleErrors.length) console.error(`console errors:\n${consoleErrors.join('\n')}`);
  process.exit(1);
});
