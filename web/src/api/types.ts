export const EXPRESSIONS = ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] as const;
export type Expression = (typeof EXPRESSIONS)[number];

export interface UserRef {
  id: number;
  username: string;
  nickname: string;
}

export interface Emoji {
  id: number;
  name: string;
  description: string;
  visibility: 'public' | 'private';
  builtin: boolean;
  owner: UserRef | null;
  use_count: number;
  created_at: string;
  preview_url: string;
  images: Record<Expression, string>;
  share_token?: string;
  attribution: string | null;
}

export interface Page<T> {
  items: T[];
  page: number;
  size: number;
  total: number;
}

export interface Top3 {
  items: Emoji[];
  days: number | null;
}

export interface UsernameCheck {
  username: string;
  available: boolean;
}

export interface CreatedUser {
  id: number;
  username: string;
  nickname: string;
  created_at: string;
}

export interface AuthToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export type TaskStatus = 'queued' | 'running' | 'done' | 'failed';

export interface UsedItem {
  task_id: string;
  status: TaskStatus;
  emoji: { id: number; name: string; preview_url: string } | null;
  created_at: string;
  thumbnail_url: string | null;
  result_url: string | null;
}

export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Face {
  box: FaceBox;
  /** How sure the detector is that this is a face (not the expression). */
  score: number;
  /** The emoji pasted on the face: the model's reading, or the user's choice once corrected. */
  expression: Expression;
  /** The expression model's seven probabilities. */
  scores: Partial<Record<Expression, number>>;
  roll_degrees?: number;
  emoji_url: string;
  /** True once the user chose the emoji or hid it (PATCH …/faces/{index}). */
  corrected: boolean;
  /** True when the user asked for no emoji on this face. */
  hidden: boolean;
  /** The model's own reading, kept when the user changed `expression`. */
  predicted?: Expression;
}

/** Body of PATCH /faces/tasks/{id}/faces/{index}; both keys may be combined. */
export interface FaceFix {
  expression?: Expression;
  hidden?: boolean;
}

export interface Task {
  task_id: string;
  status: TaskStatus;
  /** Null once the template was deleted. */
  emoji_id: number | null;
  created_at: string;
  finished_at: string | null;
  image_width: number | null;
  image_height: number | null;
  faces: Face[];
  result_url: string | null;
  thumbnail_url: string | null;
  error: { code: string; message: string } | null;
}

export interface TaskCreated {
  task_id: string;
  status: 'queued';
  status_url: string;
}
