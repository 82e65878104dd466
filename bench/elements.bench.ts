/**
 * The elements in Chromium: bench/elements.page.ts bundled by rollup with the
 * production build of lit (no `development` condition), loaded into Debian's
 * Chromium through playwright-core, timed in the page.
 */
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescriptPlugin from '@rollup/plugin-typescript';
import { chromium } from 'playwright-core';
import { rollup, type Plugin } from 'rollup';
import { chromiumArgs, chromiumPath } from '../scripts/chromium.mjs';
import { timingLine } from './harness.js';

// The plugin's types describe its CommonJS build; under tsx the default import is the function.
const typescript = typescriptPlugin as unknown as (options: object) => Plugin;

async function bundle(): Promise<string> {
  const build = await rollup({
    input: 'bench/elements.page.ts',
    onwarn: () => {},
    plugins: [
      nodeResolve({ browser: true }),
      typescript({
        // The sources, the bench page and the test double, compiled with the
        // project's settings (no define semantics: a field initialiser is an assignment, which lit's accessors need).
        tsconfig: false,
        filterRoot: '.',
        include: ['src/**/*.ts', 'bench/**/*.ts', 'test/elements/**/*.ts'],
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          experimentalDecorators: true,
          useDefineForClassFields: false,
          skipLibCheck: true,
          strict: true,
        },
        noEmitOnError: false,
      }),
    ],
  });
  const { output } = await build.generate({ format: 'iife' });
  await build.close();
  return output[0].code;
}

const line = timingLine;

interface PageBench {
  panelFirstRender(n: number, samples: number): Promise<{ first: number[]; end: number[]; search: number[]; scroll: number[] }>;
  panelRowChange(n: number, samples: number, visible: boolean): Promise<number[]>;
  waitingRoom(n: number, samples: number): Promise<{ render: number[]; all: number[]; admitAll: number[] }>;
  controlsUpdate(samples: number): Promise<{ dom: number[]; layout: number[] }>;
}

export async function run(): Promise<void> {
  const code = await bundle();
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs(), headless: true });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ content: code });
    const call = <K extends keyof PageBench>(name: K, ...args: Parameters<PageBench[K]>) =>
      page.evaluate(
        ([name, args]) => ((window as unknown as { bench: Record<string, (...a: unknown[]) => unknown> }).bench[name] as (...a: unknown[]) => unknown)(...args),
        [name, args] as [string, unknown[]],
      ) as ReturnType<PageBench[K]>;

    console.log(`\n## elements in Chromium (${browser.version()}, headless, production lit)`);
    console.log(
      'method: rollup bundle of the sources in a blank page; times taken in the page with performance.now() from the change ' +
        '(append, observable emission, click, SelfCapabilities.update) to updateComplete plus a forced layout; ' +
        'one animation frame between samples. The permissions panel is windowed (the rows in and near its viewport, ' +
        'no library); "reachable" runs from the list arriving to the far row focused, found or scrolled to, laid out. ' +
        'The waiting room renders progressively (200 rows a frame) with CSS content-visibility: auto.',
    );
    await call('panelFirstRender', 100, 2); // warm-up
    for (const n of [100, 1000, 5000]) {
      const { first, end, search, scroll } = await call('panelFirstRender', n, n > 1000 ? 8 : 5);
      const count = n.toLocaleString('en');
      line(`permissions-panel first paint, ${count} participants`, first, '< 50 ms');
      line(`permissions-panel last of ${count} focused by End (from arrival)`, end, '< 200 ms');
      line(`permissions-panel last of ${count} found by search (from arrival)`, search, '< 200 ms');
      line(`permissions-panel middle of ${count} scrolled to (from arrival)`, scroll, '< 200 ms');
    }
    for (const n of [100, 1000, 5000]) {
      const count = n.toLocaleString('en');
      line(`permissions-panel one participant's change, in view, ${count}`, await call('panelRowChange', n, 60, true), '< 2 ms, flat');
      line(`permissions-panel one participant's change, anywhere, ${count}`, await call('panelRowChange', n, 60, false), '< 2 ms, flat');
    }
    const waiting = await call('waitingRoom', 5000, 5);
    line('waiting-room first render, 5,000 knockers', waiting.render, '< 50 ms');
    line('waiting-room every row rendered (progressive), 5,000', waiting.all, 'info');
    line('waiting-room admit-all reflected, 5,000 knockers', waiting.admitAll, '< 50 ms');
    const controls = await call('controlsUpdate', 200);
    line('call-controls SelfCapabilities.update() to updated DOM', controls.dom, '< 1 ms');
    line('call-controls SelfCapabilities.update() to DOM laid out', controls.layout, '-');
  } finally {
    await browser.close();
  }
}
