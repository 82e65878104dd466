// The demo rooms, shared by `npm start` and the end-to-end tests.
export const DEMO_ROOMS = [
  {
    name: 'demo-public',
    title: 'Public room: anyone with the link joins (and knocks while it is locked)',
    privacy: 'public',
    properties: { enable_knocking: true },
  },
  {
    name: 'demo-private',
    title: 'Private room with knocking: guests knock, the owner admits',
    privacy: 'private',
    properties: { enable_knocking: true },
  },
  {
    name: 'demo-stage',
    title: 'Stage: guests join without presence and ask to be seen and heard',
    privacy: 'public',
    properties: { permissions: { hasPresence: false, canSend: false } },
  },
];
