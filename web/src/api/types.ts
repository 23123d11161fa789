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
  score: number;
  expression: Expression;
  scores: Partial<Record<Expression, number>>;
  emoji_url: string;
}

export interface Task {
  task_id: string;
  status: TaskStatus;
  emoji_id: number;
  created_at: string;
  finished_at: string | null;
  image_width: number | null;
  image_height: number | null;
  faces: Face[];
  result_url: string | null;
  error: { code: string; message: string } | null;
}

export interface TaskCreated {
  task_id: string;
  status: 'queued';
  status_url: string;
}
