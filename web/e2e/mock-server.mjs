#!/usr/bin/env node
// In-memory mock of the IGE-MOJI API contract plus a static file server for
// ../../static (SPA fallback). For frontend development and for dry-running
// e2e/journey.mjs before the Rust backend is ready. Not used in production.
//
//   node e2e/mock-server.mjs            # listens on 127.0.0.1:8080 (PORT env to change)
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { EXPRESSION_COLOURS, facePng, pngSize } from './png.mjs';

const PORT = Number(process.env.PORT ?? 8080);
const STATIC_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), process.env.STATIC_DIR ?? '../../static');
const EXPRESSIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'];
const MAX_UPLOAD = 8 * 1024 * 1024;
const TEMPLATE_MAX = 2 * 1024 * 1024;

const media = new Map(); // path -> { type, body }
const users = new Map(); // username -> user
const tokens = new Map(); // token -> username
const emojis = new Map(); // id -> emoji (internal)
const tasks = new Map(); // id -> task
let nextUserId = 1;
let nextEmojiId = 1;

function addMedia(body, type = 'image/png') {
  const path = `/media/${randomBytes(8).toString('hex')}.${type.split('/')[1]}`;
  media.set(path, { type, body });
  return path;
}

function seedBuiltin(name, palette) {
  const images = {};
  for (const ex of EXPRESSIONS) images[ex] = addMedia(facePng(96, palette(ex), ex === 'sad' ? 'flat' : 'smile'));
  const e = {
    id: nextEmojiId++,
    name,
    description: `Built-in set “${name}”.`,
    visibility: 'public',
    builtin: true,
    ownerName: null,
    uses: [],
    created_at: new Date().toISOString(),
    images,
    share_token: randomBytes(6).toString('hex'),
    attribution: 'Twemoji by Twitter, Inc and other contributors, CC-BY 4.0',
  };
  emojis.set(e.id, e);
}
seedBuiltin('Classic yellow', () => [255, 205, 60]);
seedBuiltin('Rainbow', (ex) => EXPRESSION_COLOURS[ex]);
seedBuiltin('Blue mood', (ex) => [90, 140, 200 + EXPRESSIONS.indexOf(ex) * 5]);
for (let i = 0; i < 12; i++) seedBuiltin(`Sample ${i + 1}`, (ex) => [100 + i * 10, 120 + EXPRESSIONS.indexOf(ex) * 15, 180]);

function userRef(u) {
  return u ? { id: u.id, username: u.username, nickname: u.nickname } : null;
}

function emojiJson(e, viewer, days) {
  const since = days ? Date.now() - days * 86400000 : 0;
  const owner = e.ownerName ? users.get(e.ownerName) : null;
  const out = {
    id: e.id,
    name: e.name,
    description: e.description,
    visibility: e.visibility,
    builtin: e.builtin,
    owner: userRef(owner),
    use_count: e.uses.filter((t) => t >= since).length,
    created_at: e.created_at,
    preview_url: e.images.happy,
    images: e.images,
    attribution: e.attribution,
  };
  if (e.visibility === 'private' && viewer && owner && viewer.id === owner.id) out.share_token = e.share_token;
  return out;
}

function send(res, status, body, headers = {}) {
  const data = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(data);
}
function fail(res, status, code, message, fields, headers) {
  send(res, status, { error: { code, message, ...(fields ? { fields } : {}) } }, headers);
}

async function readBody(req, limit = MAX_UPLOAD * 8) {
  const chunks = [];
  let n = 0;
  for await (const c of req) {
    n += c.length;
    if (n > limit) return null;
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

function parseMultipart(buf, contentType) {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType ?? '');
  if (!m) return null;
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts = {};
  let pos = buf.indexOf(boundary);
  while (pos !== -1) {
    const start = pos + boundary.length;
    if (buf.slice(start, start + 2).toString() === '--') break;
    const next = buf.indexOf(boundary, start);
    if (next === -1) break;
    const part = buf.slice(start + 2, next - 2);
    const sep = part.indexOf('\r\n\r\n');
    const head = part.slice(0, sep).toString();
    const body = part.slice(sep + 4);
    const name = /name="([^"]*)"/.exec(head)?.[1];
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1];
    if (name) parts[name] = filename !== undefined ? { filename, type, body } : body.toString();
    pos = next;
  }
  return parts;
}

function sniffImage(b) {
  if (!b || b.length < 12) return null;
  if (b.readUInt32BE(0) === 0x89504e47) return 'image/png';
  if (b[0] === 0xff && b[1] === 0xd8) return 'image/jpeg';
  if (b.slice(0, 4).toString() === 'GIF8') return 'image/gif';
  if (b.slice(0, 4).toString() === 'RIFF' && b.slice(8, 12).toString() === 'WEBP') return 'image/webp';
  if (b[0] === 0x42 && b[1] === 0x4d) return 'image/bmp';
  return null;
}

function jpegSize(b) {
  let i = 2;
  while (i < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    const len = b.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xc3) return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  return null;
}

function viewerOf(req) {
  const auth = req.headers.authorization ?? '';
  if (!auth.startsWith('Bearer ')) return { user: null, bad: false };
  const name = tokens.get(auth.slice(7));
  return name && users.has(name) ? { user: users.get(name), bad: false } : { user: null, bad: true };
}

function paginate(list, url) {
  const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  const size = Math.min(100, Math.max(1, Number(url.searchParams.get('size') ?? 20) || 20));
  return { items: list.slice((page - 1) * size, page * size), page, size, total: list.length };
}

const USERNAME_RE = /^[a-z0-9_.-]{3,30}$/;

async function api(req, res, url) {
  const p = url.pathname;
  const { user: viewer, bad } = viewerOf(req);
  const needAuth = () => {
    if (!viewer) {
      fail(res, 401, bad ? 'token_expired' : 'unauthorized', 'Authentication required');
      return true;
    }
    return false;
  };
  // A bad token on any call is a 401 (like an expired JWT).
  if (bad) return fail(res, 401, 'token_expired', 'Your token has expired');

  if (p === '/api/v1/users/' && req.method === 'GET') {
    const u = (url.searchParams.get('username') ?? '').toLowerCase();
    if (!USERNAME_RE.test(u)) return fail(res, 422, 'validation_failed', 'Invalid username', { username: 'invalid' });
    return send(res, 200, { username: u, available: !users.has(u) });
  }
  if (p === '/api/v1/users/' && req.method === 'POST') {
    const b = JSON.parse((await readBody(req)).toString() || '{}');
    const username = String(b.username ?? '').toLowerCase();
    const fields = {};
    if (!USERNAME_RE.test(username)) fields.username = '3–30 characters of a-z 0-9 _ . -';
    if (typeof b.password !== 'string' || b.password.length < 8 || b.password.length > 128)
      fields.password = '8–128 characters';
    const nickname = b.nickname === undefined ? username : String(b.nickname).trim();
    if (nickname.length < 1 || nickname.length > 40) fields.nickname = '1–40 characters';
    if (Object.keys(fields).length) return fail(res, 422, 'validation_failed', 'Some fields are invalid', fields);
    if (users.has(username)) return fail(res, 409, 'username_taken', 'That username is taken');
    const u = { id: nextUserId++, username, nickname, password: b.password, created_at: new Date().toISOString(), used: [] };
    users.set(username, u);
    return send(res, 201, { id: u.id, username, nickname, created_at: u.created_at });
  }
  if (p === '/api/v1/users/auth' && req.method === 'POST') {
    const b = JSON.parse((await readBody(req)).toString() || '{}');
    const u = users.get(String(b.username ?? '').toLowerCase());
    if (!u || u.password !== b.password) return fail(res, 401, 'invalid_credentials', 'Wrong username or password');
    const token = randomBytes(16).toString('hex');
    tokens.set(token, u.username);
    return send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
  }
  if (p === '/api/v1/users/auth' && req.method === 'GET') {
    if (needAuth()) return;
    return send(res, 200, userRef(viewer));
  }
  if (p === '/api/v1/users/me' && req.method === 'DELETE') {
    if (needAuth()) return;
    users.delete(viewer.username);
    for (const [id, e] of emojis) if (e.ownerName === viewer.username) emojis.delete(id);
    res.writeHead(204).end();
    return;
  }
  if (p === '/api/v1/users/mypage' && req.method === 'GET') {
    if (needAuth()) return;
    const kind = url.searchParams.get('case');
    if (kind === 'created') {
      const list = [...emojis.values()].filter((e) => e.ownerName === viewer.username).reverse();
      const pg = paginate(list, url);
      return send(res, 200, { ...pg, items: pg.items.map((e) => emojiJson(e, viewer)) });
    }
    if (kind === 'used') {
      const list = viewer.used
        .map((id) => tasks.get(id))
        .reverse()
        .map((t) => {
          const e = emojis.get(t.emoji_id);
          return {
            task_id: t.task_id,
            status: t.status,
            emoji: e ? { id: e.id, name: e.name, preview_url: e.images.happy } : null,
            created_at: t.created_at,
            thumbnail_url: t.status === 'done' ? t.result_url : null,
            result_url: t.status === 'done' ? t.result_url : null,
          };
        });
      return send(res, 200, paginate(list, url));
    }
    return fail(res, 422, 'validation_failed', 'Bad case', { case: 'must be used or created' });
  }
  if (p === '/api/v1/emojis/' && req.method === 'GET') {
    const q = (url.searchParams.get('q') ?? '').toLowerCase();
    const list = [...emojis.values()].filter((e) => e.visibility === 'public' && e.name.toLowerCase().includes(q));
    const pg = paginate(list, url);
    return send(res, 200, { ...pg, items: pg.items.map((e) => emojiJson(e, viewer)) });
  }
  if (p === '/api/v1/emojis/top3' && req.method === 'GET') {
    const days = url.searchParams.get('days') ? Number(url.searchParams.get('days')) : null;
    const list = [...emojis.values()]
      .filter((e) => e.visibility === 'public')
      .map((e) => emojiJson(e, viewer, days))
      .sort((a, b) => b.use_count - a.use_count || a.id - b.id)
      .slice(0, 3);
    return send(res, 200, { items: list, days });
  }
  if (p === '/api/v1/emojis/' && req.method === 'POST') {
    if (needAuth()) return;
    const body = await readBody(req);
    if (!body) return fail(res, 413, 'payload_too_large', 'Upload too large');
    const parts = parseMultipart(body, req.headers['content-type']) ?? {};
    const fields = {};
    const name = String(parts.name ?? '').trim();
    if (!name) fields.name = 'Name is required';
    const visibility = parts.visibility ?? 'public';
    if (!['public', 'private'].includes(visibility)) fields.visibility = 'public or private';
    const images = {};
    for (const ex of EXPRESSIONS) {
      const f = parts[ex];
      if (!f || typeof f === 'string') fields[ex] = 'Image required';
      else if (f.body.length > TEMPLATE_MAX) fields[ex] = 'At most 2 MB';
      else if (!['image/png', 'image/jpeg', 'image/webp', 'image/gif'].includes(sniffImage(f.body) ?? ''))
        fields[ex] = 'Not a PNG/JPEG/WebP/GIF image';
      else images[ex] = addMedia(f.body, sniffImage(f.body));
    }
    if (Object.keys(fields).length) return fail(res, 422, 'validation_failed', 'Some fields are invalid', fields);
    const e = {
      id: nextEmojiId++,
      name,
      description: String(parts.description ?? ''),
      visibility,
      builtin: false,
      ownerName: viewer.username,
      uses: [],
      created_at: new Date().toISOString(),
      images,
      share_token: randomBytes(6).toString('hex'),
      attribution: null,
    };
    emojis.set(e.id, e);
    return send(res, 201, emojiJson(e, viewer));
  }
  let m = /^\/api\/v1\/emojis\/(\d+)$/.exec(p);
  if (m) {
    const e = emojis.get(Number(m[1]));
    const isOwner = e && viewer && e.ownerName === viewer.username;
    if (!e || (e.visibility === 'private' && !isOwner && url.searchParams.get('share') !== e.share_token))
      return fail(res, 404, 'not_found', 'No such template');
    if (req.method === 'GET') return send(res, 200, emojiJson(e, viewer));
    if (req.method === 'DELETE') {
      if (needAuth()) return;
      if (!isOwner) return fail(res, 403, 'forbidden', 'Not your template');
      emojis.delete(e.id);
      res.writeHead(204).end();
      return;
    }
  }
  if (p === '/api/v1/faces/' && req.method === 'POST') {
    if (Number(req.headers['content-length'] ?? 0) > MAX_UPLOAD) {
      req.resume();
      return fail(res, 413, 'payload_too_large', 'Photo too large');
    }
    const body = await readBody(req, MAX_UPLOAD + 4096);
    if (!body) return fail(res, 413, 'payload_too_large', 'Photo too large');
    const parts = parseMultipart(body, req.headers['content-type']) ?? {};
    const img = parts.image;
    const emoji = emojis.get(Number(parts.emoji_id));
    if (!emoji) return fail(res, 422, 'validation_failed', 'Unknown template', { emoji_id: 'No such template' });
    if (!img || typeof img === 'string') return fail(res, 422, 'validation_failed', 'Image required', { image: 'required' });
    const type = sniffImage(img.body);
    if (!type) return fail(res, 415, 'unsupported_media_type', 'That is not an image');
    const size = (type === 'image/png' ? pngSize(img.body) : type === 'image/jpeg' ? jpegSize(img.body) : null) ?? {
      width: 640,
      height: 480,
    };
    const id = randomBytes(8).toString('hex');
    const task = {
      task_id: id,
      status: 'queued',
      emoji_id: emoji.id,
      created_at: new Date().toISOString(),
      finished_at: null,
      image_width: null,
      image_height: null,
      faces: [],
      result_url: null,
      error: null,
      _img: img.body,
      _type: type,
      _size: size,
    };
    tasks.set(id, task);
    if (viewer) viewer.used.push(id);
    setTimeout(() => (task.status = 'running'), 600);
    setTimeout(() => {
      const { width, height } = task._size;
      const fw = Math.round(Math.min(width, height) * 0.45);
      task.status = 'done';
      task.finished_at = new Date().toISOString();
      task.image_width = width;
      task.image_height = height;
      task.result_url = addMedia(task._img, task._type);
      const scores = { angry: 0.02, disgust: 0.01, fear: 0.02, happy: 0.85, sad: 0.03, surprise: 0.04, neutral: 0.03 };
      task.faces = [
        {
          box: { x: Math.round((width - fw) / 2), y: Math.round((height - fw) / 2), width: fw, height: fw },
          score: 0.85,
          expression: 'happy',
          scores,
          emoji_url: emoji.images.happy,
        },
      ];
      emoji.uses.push(Date.now());
    }, 2000);
    return send(res, 202, { task_id: id, status: 'queued', status_url: `/api/v1/faces/tasks/${id}` });
  }
  m = /^\/api\/v1\/faces\/tasks\/([a-f0-9]+)$/.exec(p);
  if (m && req.method === 'GET') {
    const t = tasks.get(m[1]);
    if (!t) return fail(res, 404, 'not_found', 'No such task');
    const { _img, _type, _size, ...pub } = t;
    return send(res, 200, pub);
  }
  return fail(res, 404, 'not_found', 'No such endpoint');
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png' };

async function serveStatic(res, pathname) {
  const file = normalize(join(STATIC_DIR, pathname));
  if (file.startsWith(STATIC_DIR)) {
    try {
      if ((await stat(file)).isFile()) {
        res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
        return res.end(await readFile(file));
      }
    } catch {
      /* fall through */
    }
  }
  if (pathname.startsWith('/assets/')) return fail(res, 404, 'not_found', 'No such asset');
  res.writeHead(200, { 'Content-Type': TYPES['.html'] });
  res.end(await readFile(join(STATIC_DIR, 'index.html')));
}

createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  try {
    if (url.pathname.startsWith('/api/')) return await api(req, res, url);
    if (url.pathname.startsWith('/media/')) {
      const m = media.get(url.pathname);
      if (!m) return fail(res, 404, 'not_found', 'No such file');
      res.writeHead(200, { 'Content-Type': m.type });
      return res.end(m.body);
    }
    return await serveStatic(res, url.pathname);
  } catch (e) {
    console.error(e);
    fail(res, 500, 'internal', 'Internal error');
  }
}).listen(PORT, '127.0.0.1', () => console.log(`mock IGE-MOJI on http://127.0.0.1:${PORT} serving ${STATIC_DIR}`));
