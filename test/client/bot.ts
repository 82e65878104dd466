/**
 * A Node bot for test/client/exit.node.test.ts, run there as a child process:
 * `node --import tsx test/client/bot.ts URL ROOM MODE`. It uses `callcaps/client`
 * (the sources) with `ws`, reports each step as a line on stdout, and never calls
 * `process.exit`: the test checks that the process ends by itself once the call is over.
 *
 * Modes:
 * - `leave`: join, raise a hand, leave.
 * - `leave-reconnecting`: join; once the server has gone and the client waits to
 *   reconnect (a long backoff), leave.
 * - `leave-connecting`: join; once the server has gone and a reconnection attempt is
 *   on its way to a host that never answers (an address that drops packets), leave.
 * - `leave-stalled`: join; once the link passes nothing any more (unnoticed yet: the
 *   heartbeat is slow), leave: the `call.leave` goes unanswered.
 * - `give-up`: join; when the server has gone, fail two attempts and stop (`closed`), without leaving.
 * - `ended`: join and wait: the call ends from the server.
 */
import WebSocket from 'ws';
import { connect, type ConnectOptions } from '../../src/client.js';

const [url, room, mode] = process.argv.slice(2);
const say = (line: string) => process.stdout.write(`${line}\n`);

const reconnect: Record<string, ConnectOptions['reconnect']> = {
  'leave-reconnecting': { min: 60_000, max: 60_000 },
  'leave-connecting': { min: 1, max: 1 },
  'give-up': { min: 10, max: 20, attempts: 2 },
};
const call = await connect(url!, {
  room: room!, userName: `bot-${mode}`, WebSocket, reconnect: reconnect[mode!],
  heartbeat: mode === 'leave-stalled' ? 60_000 : 1000,
  requestTimeout: mode === 'leave-stalled' ? 1000 : undefined,
});
say('joined');
call.connection$.subscribe((state) => say(`connection ${state}`));
call.left$.subscribe((reason) => reason && say(`left ${reason}`));
call.closeReason$.subscribe((error) => error && say(`closed ${error.name} ${(error as { code?: unknown }).code}`));

if (mode === 'leave') {
  await call.raiseHand();
  say('hand raised');
  await call.leave();
  say('left');
} else if (mode === 'leave-stalled') {
  // The test stalls the link once it reads "joined", then says so on stdin.
  await new Promise((resolve) => process.stdin.once('data', resolve));
  process.stdin.pause();
  await call.leave();
  say('left');
} else if (mode === 'leave-reconnecting' || mode === 'leave-connecting') {
  // The test closes the server once it reads "joined".
  await new Promise<void>((resolve) => {
    const sub = call.connection$.subscribe((state) => state === 'reconnecting' && (resolve(), queueMicrotask(() => sub.unsubscribe())));
  });
  // A moment for the backoff timer (or the attempt) to be under way.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await call.leave();
  say('left');
}
