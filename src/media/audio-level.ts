/**
 * The level of an audio track, from WebAudio: an `AnalyserNode` sampled a few
 * times a second. One shared AudioContext for the page. Lit-free.
 */
import { Observable } from 'rxjs';

export interface AudioLevelOptions {
  /** Milliseconds between samples (default 100). */
  interval?: number;
}

let context: AudioContext | null = null;

/** The page's AudioContext, resumed on the next user gesture when the browser started it suspended. */
function audioContext(): AudioContext | null {
  if (context) return context;
  const Ctx = globalThis.AudioContext;
  if (!Ctx) return null;
  context = new Ctx();
  if (context.state === 'suspended') {
    const resume = () => void context?.resume().catch(() => {});
    resume();
    for (const type of ['pointerdown', 'keydown']) globalThis.addEventListener?.(type, resume, { once: true, capture: true });
  }
  return context;
}

/**
 * Emits the RMS level (0…1) of `track` every `interval` ms while subscribed,
 * only when it changed by more than 0.005. Releases its nodes on unsubscribe.
 */
export function audioLevel$(track: MediaStreamTrack, { interval = 100 }: AudioLevelOptions = {}): Observable<number> {
  return new Observable<number>((subscriber) => {
    const ctx = audioContext();
    if (!ctx) return;
    let source: MediaStreamAudioSourceNode;
    try {
      source = ctx.createMediaStreamSource(new MediaStream([track]));
    } catch {
      return; // an ended track, or one WebAudio cannot read
    }
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let last = -1;
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const v of samples) sum += v * v;
      const level = Math.min(1, Math.sqrt(sum / samples.length));
      if (Math.abs(level - last) > 0.005) subscriber.next((last = level));
    }, interval);
    return () => {
      clearInterval(timer);
      source.disconnect();
      analyser.disconnect();
    };
  });
}
