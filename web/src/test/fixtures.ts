import { EXPRESSIONS, type Emoji, type Expression, type Face, type SiteConfig, type Task } from '../api/types';

/** Seven probabilities with `top` at `p` and the rest shared out evenly. */
export function scoresFor(top: Expression, p: number): Record<Expression, number> {
  const rest = (1 - p) / (EXPRESSIONS.length - 1);
  return Object.fromEntries(EXPRESSIONS.map((e) => [e, e === top ? p : rest])) as Record<Expression, number>;
}

export function face(extra: Partial<Face> = {}): Face {
  const expression = extra.expression ?? 'happy';
  return {
    box: { x: 10, y: 10, width: 50, height: 50 },
    score: 0.99,
    expression,
    scores: scoresFor(expression, 0.9),
    roll_degrees: 0,
    emoji_url: `/media/emojis/7/${expression}.png`,
    corrected: false,
    hidden: false,
    ...extra,
  };
}

export function doneTask(faces: Face[], extra: Partial<Task> = {}): Task {
  return {
    task_id: 't1',
    status: 'done',
    emoji_id: 7,
    created_at: '2024-01-01T00:00:00Z',
    finished_at: '2024-01-01T00:00:02Z',
    image_width: 200,
    image_height: 100,
    faces,
    result_url: '/media/results/t1.jpg',
    thumbnail_url: '/media/thumbnails/t1.jpg',
    error: null,
    ...extra,
  };
}

export function template(extra: Partial<Emoji> = {}): Emoji {
  return {
    id: 7,
    name: 'Blobs',
    description: '',
    visibility: 'public',
    builtin: true,
    owner: null,
    use_count: 3,
    created_at: '2024-01-01T00:00:00Z',
    preview_url: '/media/emojis/7/happy.png',
    images: Object.fromEntries(EXPRESSIONS.map((e) => [e, `/media/emojis/7/${e}.png`])) as Record<Expression, string>,
    attribution: null,
    ...extra,
  };
}

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];

/** GET /api/v1/config as the server answers with its default settings. */
export function siteConfig(): SiteConfig {
  return {
    photo: { media_types: [...IMAGE_TYPES], max_bytes: 15 * 1024 * 1024, max_pixels: 50_000_000 },
    template_image: { media_types: [...IMAGE_TYPES], max_bytes: 2 * 1024 * 1024, max_side: 2048 },
  };
}
