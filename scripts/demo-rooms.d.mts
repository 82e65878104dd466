/** The demo rooms, as `POST /v1/rooms` takes them, plus a title for people. */
export const DEMO_ROOMS: ReadonlyArray<{
  name: string;
  title: string;
  privacy: 'public' | 'private';
  properties: Record<string, unknown>;
}>;
